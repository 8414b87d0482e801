import pytest
from qadam.kato.models import KatoUnit
pytestmark = pytest.mark.browser
@pytest.mark.parametrize("i", range(3))
def test_kato_survives(page, live_server, i):
    assert KatoUnit.objects.filter(code="710000000").exists()
    page.goto(live_server.url + "/healthz")
    assert page.locator("body").inner_text()
