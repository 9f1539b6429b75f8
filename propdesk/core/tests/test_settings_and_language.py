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


def _database_settings(**env) -> dict:
    """The default database's settings as the process would read them from its environment."""
    import json

    environment = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    environment.update(DEBUG="1", SECRET_KEY="x", **env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, propdesk.settings as s; d = s.DATABASES['default']; "
            "print(json.dumps({k: d.get(k) for k in ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', "
            "'OPTIONS')}, default=str))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_keeps_persistent_connections_by_default():
    found = _database_settings(DATABASE_URL="postgres://u@db.example.com:5432/propdesk")
    assert found["CONN_MAX_AGE"] == 60 and found["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in (found["OPTIONS"] or {})
    assert "server_side_binding" not in (found["OPTIONS"] or {})


def test_the_connection_pool_replaces_persistent_connections():
    found = _database_settings(
        DATABASE_URL="postgres://u@db.example.com:5432/propdesk",
        DB_POOL="1",
        DB_POOL_MAX="5",
        DB_SERVER_SIDE_BINDING="true",
    )
    # Django refuses a pool beside persistent connections: the pool must turn them off.
    assert found["CONN_MAX_AGE"] == 0 and found["CONN_HEALTH_CHECKS"] is False
    assert found["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 5}
    assert found["OPTIONS"]["server_side_binding"] is True


def test_the_pool_setting_does_nothing_on_sqlite():
    found = _database_settings(DATABASE_URL="", DB_POOL="1", DB_SERVER_SIDE_BINDING="1")
    assert "pool" not in found["OPTIONS"] and "server_side_binding" not in found["OPTIONS"]


def test_a_malformed_pool_size_fails_loudly(tmp_path):
    result = _manage(
        "check",
        DEBUG="1",
        SECRET_KEY="x",
        PROPDESK_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://u@db.example.com:5432/propdesk",
        DB_POOL="1",
        DB_POOL_MAX="many",
    )
    assert result.returncode != 0
    assert "DB_POOL_MAX must be an integer" in result.stderr
