"""The browser harness itself: each browser test starts from the migrated database, whatever ran before."""

import pytest

from qadam.kato.models import KatoUnit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("run", [1, 2])
def test_each_browser_test_sees_the_migrations_data(page, live_server, run):
    # live_server tests are transactional and end with a flush; serialized rollback must bring back the
    # KATO regions that a migration loaded, on the same connection the test uses while Chromium runs.
    assert KatoUnit.objects.filter(code="710000000").exists()
    response = page.goto(live_server.url + "/healthz")
    assert response is not None and response.ok
    assert page.locator("body").inner_text() == "ok"
