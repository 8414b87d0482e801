from urllib.parse import urlsplit

import pytest

from qadam.accounts.models import User
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.browser


def test_login_lands_on_home(page, live_server):
    make_user("aigerim", make_agency("ast", "71"), User.Role.SOCIAL_WORKER)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "aigerim")
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")  # submits the form, whatever its button looks like
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/accounts/login"))

    assert urlsplit(page.url).path == "/"
    screenshot(page, "login")
