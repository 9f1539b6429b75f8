"""Credentials encrypted at rest (core.secrets): the column holds a token, the value hides."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

from propdesk.core.secrets import (
    MASK,
    EncryptedTextField,
    Secret,
    _cipher_for,
    decrypt_text,
    encrypt_text,
)


def test_it_round_trips_and_never_stores_the_plain_text():
    token = encrypt_text("LTAI5tAccessKeySecret")
    assert "LTAI5t" not in token
    assert decrypt_text(token).reveal() == "LTAI5tAccessKeySecret"
    assert encrypt_text("same") != encrypt_text("same")  # a fresh IV each time


def test_a_secret_shows_as_a_mask_in_text_repr_and_format(caplog):
    secret = Secret("app-secret-value")
    assert str(secret) == MASK
    assert repr(secret) == "Secret('********')"
    assert f"{secret}" == MASK
    with caplog.at_level(logging.INFO):
        logging.getLogger("propdesk.test").info("configured %s %r", secret, secret)
    assert "app-secret-value" not in caplog.text
    assert str(Secret("")) == ""


def test_a_secret_refuses_to_be_pickled():
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


def test_a_token_no_key_opens_reads_as_unreadable(settings):
    token = encrypt_text("value")
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]
    secret = decrypt_text(token)
    assert not secret.readable
    assert secret.reveal() == ""
    assert decrypt_text("not a token").readable is False


def test_keys_rotate_the_first_encrypts_every_key_decrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SECRETS_KEYS = [old]
    token = encrypt_text("rotated")
    settings.SECRETS_KEYS = [new, old]
    assert decrypt_text(token).reveal() == "rotated"
    fresh = encrypt_text("rotated")
    settings.SECRETS_KEYS = [new]
    assert decrypt_text(fresh).reveal() == "rotated"
    assert not decrypt_text(token).readable


def test_a_malformed_key_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        _cipher_for(("short",), "x")


def test_the_field_writes_a_token_and_reads_a_secret():
    field = EncryptedTextField()
    stored = field.get_prep_value("s3cret")
    assert stored != "s3cret" and stored.startswith("gAAAAA")
    read = field.from_db_value(stored, None, connection)
    assert isinstance(read, Secret) and read.reveal() == "s3cret"
    assert field.get_prep_value(Secret("again")) != "again"
    assert field.get_prep_value("") == "" and field.get_prep_value(None) == ""
    assert field.value_to_string(None) == MASK
    with pytest.raises(ValueError):
        field.get_prep_value(Secret("", readable=False))
    assert isinstance(EncryptedTextField(), models.TextField)


@pytest.mark.django_db
def test_a_model_attribute_always_holds_a_secret(company):
    from propdesk.notices.models import WechatAccount

    account = WechatAccount(company=company, app_id="wx0123456789", app_secret="plain")
    assert isinstance(account.app_secret, Secret) and str(account.app_secret) == MASK
    account.save()
    assert WechatAccount.objects.get().app_secret.reveal() == "plain"
    account.app_secret = None
    assert account.app_secret.reveal() == ""
