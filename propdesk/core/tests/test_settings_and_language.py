"""Production settings pass Django's deployment checks; the console speaks Chinese by default."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="propdesk.example.com",
        PROPDESK_VAR_DIR=str(tmp_path),
        # A production site reaches people and takes real money: an SMS gateway, SMTP, and a
        # real payment provider (a stand-in until the WeChat Pay and Alipay adapters exist).
        SMS_PROVIDER="http",
        SMS_HTTP_URL="https://sms.example.com/send",
        SMS_HTTP_TOKEN="token",
        EMAIL_HOST="smtp.example.com",
        PORTAL_PAYMENT_PROVIDER_CLASSES="propdesk.portal.tests.standin_provider.StandInProvider",
        PORTAL_PAYMENT_PROVIDER="standin",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_real_providers(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="propdesk.example.com",
        PROPDESK_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "propdesk.E001" in result.stderr and "propdesk.E011" in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", DEBUG="0", SECRET_KEY="", PROPDESK_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_setting_fails_loudly(tmp_path):
    result = _manage("check", DEBUG="maybe", PROPDESK_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_production_hashes_passwords_with_argon2():
    import propdesk.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert production.TIME_ZONE == "Asia/Shanghai"
    assert production.LANGUAGE_CODE == "zh-hans"


def test_console_is_chinese_even_for_an_english_browser(client, db):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_the_language_switcher_chooses_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()
