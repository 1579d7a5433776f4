from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from tests.cast import Cast, make_cast

# Property tests check what is computed, not how fast: the CI machine is shared and a per-example
# deadline only turns its load into flaky failures (speed lives in bench/).
hypothesis_settings.register_profile("ecredit", deadline=None)
hypothesis_settings.load_profile("ecredit")


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Hashing strength is Django's concern; tests need many accounts quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
