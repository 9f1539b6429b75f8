"""The payment adapters against the providers' own published worked examples.

Where a provider publishes the key material with its example (the test vectors of WeChat Pay's
official Go SDK, github.com/wechatpay-apiv3/wechatpay-go: utils/sign_test.go, utils/aes_test.go,
core/notify/notify_test.go), the signature, the verification and the decryption are checked
byte for byte. Where the documentation shows only the string to sign and keeps the key to
itself (WeChat Pay's "签名生成" and "JSAPI调起支付" pages, Alipay's "自行实现签名" page), the
construction of that string is checked against the documented one.

The SDK's vectors use 16-byte keys ("testAPIv3Key0000"): the same AEAD construction as AES-256-GCM
with a shorter key, which the adapter's decryption accepts like the SDK's does; real APIv3 keys
are 32 characters and the settings page refuses any other length.
"""

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from propdesk.portal.payments import alipay, wechat

# --- WeChat Pay: the official Go SDK's test vectors ------------------------------------------

# utils/sign_test.go: a test RSA key published with the SDK and its SHA256withRSA of "source".
SDK_TEST_KEY = """-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END PRIVATE KEY-----
"""
SDK_SIGNATURE_OF_SOURCE = (
    "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoV"
    "z+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLl"
    "i/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj"
    "1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg=="
)

# core/notify/notify_test.go: a platform certificate (self-signed, serial D7CE59D1F522D701), a
# notification it signed, and the APIv3 key of its encrypted resource.
SDK_PLATFORM_CERTIFICATE = """-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----
"""
SDK_NOTIFICATION_HEADERS = {
    "Wechatpay-Nonce": "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz",
    "Wechatpay-Timestamp": "1624523846",
    "Wechatpay-Serial": "D7CE59D1F522D701",
    "Wechatpay-Signature": (
        "tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXF"
        "lbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1I"
        "BLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY4"
        "06ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q=="
    ),
}
SDK_NOTIFICATION_BODY = (
    '{"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17","create_time":"2021-06-24T16:37:26+08:00",'
    '"resource_type":"encrypt-resource","event_type":"PAYSCORE.USER_OPEN_SERVICE",'
    '"summary":"签约成功","resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM",'
    '"ciphertext":"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYM'
    "kRVSDaZL3iZttevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TE"
    'klFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==",'
    '"associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}'
).encode()
SDK_NOTIFICATION_KEY = "testMchAPIv3Key0"
SDK_NOTIFICATION_PLAINTEXT = {
    "mchid": "1234567890",
    "appid": "054aa7d7a2a54ab5898df65bd96f001c",
    "create_time": "2020-06-30T12:12:00+08:00",
    "out_contract_code": "21640bdbd08e473e828f3206a2741c6e",
}


def _sdk_key():
    return serialization.load_pem_private_key(SDK_TEST_KEY.encode(), password=None)


def test_the_request_signature_is_the_sdks_sha256_with_rsa():
    assert wechat.sign_message(_sdk_key(), "source") == SDK_SIGNATURE_OF_SOURCE
    assert wechat.verify_message(_sdk_key().public_key(), b"source", SDK_SIGNATURE_OF_SOURCE)
    assert not wechat.verify_message(_sdk_key().public_key(), b"sourc3", SDK_SIGNATURE_OF_SOURCE)


def test_the_documented_request_signing_string():
    """签名生成, step six: GET of /v3/certificates with an empty body is five lines."""
    assert (
        wechat.request_message(
            "GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", ""
        )
        == "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
    )


def test_the_authorization_header_carries_the_documented_fields_over_that_string():
    """The documented header (mchid 1900009191, its serial) signed with the SDK's test key: the
    signature in it is the key's signature of the documented string."""
    header = wechat.authorization(
        mchid="1900009191",
        serial="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        private_key=_sdk_key(),
        method="GET",
        url="/v3/certificates",
        body="",
        timestamp=1554208460,
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    scheme, _, rest = header.partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(","))
    assert scheme == "WECHATPAY2-SHA256-RSA2048"
    assert fields["mchid"] == '"1900009191"'
    assert fields["nonce_str"] == '"593BEC0C930BF1AFEB40B4A08C8FB242"'
    assert fields["timestamp"] == '"1554208460"'
    assert fields["serial_no"] == '"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"'
    signature = fields["signature"].strip('"')
    assert wechat.verify_message(
        _sdk_key().public_key(),
        b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
        signature,
    )


def test_the_documented_jsapi_pay_sign_string():
    """JSAPI调起支付, paySign: appId, timeStamp, nonceStr and package, each line ended by \\n."""
    assert wechat.jsapi_message(
        "wx8888888888888888",
        "1414561699",
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        "prepay_id=wx201410272009395522657a690389285100",
    ) == (
        "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n"
        "prepay_id=wx201410272009395522657a690389285100\n"
    )


def test_the_sdks_notification_verifies_with_its_platform_certificate():
    cert = x509.load_pem_x509_certificate(SDK_PLATFORM_CERTIFICATE.encode())
    headers = SDK_NOTIFICATION_HEADERS
    assert f"{cert.serial_number:X}" == headers["Wechatpay-Serial"]
    message = wechat.response_message(
        headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], SDK_NOTIFICATION_BODY
    )
    assert wechat.verify_message(cert.public_key(), message, headers["Wechatpay-Signature"])
    # One byte of the body changed, or another nonce, and the signature no longer holds.
    tampered = SDK_NOTIFICATION_BODY.replace("签约成功".encode(), "签约失败".encode())
    for stamp, nonce, body in (
        (headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], tampered),
        (headers["Wechatpay-Timestamp"], "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBZ", SDK_NOTIFICATION_BODY),
        ("1624523847", headers["Wechatpay-Nonce"], SDK_NOTIFICATION_BODY),
    ):
        assert not wechat.verify_message(
            cert.public_key(),
            wechat.response_message(stamp, nonce, body),
            headers["Wechatpay-Signature"],
        )
    # Another key does not verify it either (a certificate of another merchant).
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    assert not wechat.verify_message(other, message, headers["Wechatpay-Signature"])


def test_the_sdks_notification_resource_decrypts_to_its_plaintext():
    resource = json.loads(SDK_NOTIFICATION_BODY)["resource"]
    assert wechat.decrypt_resource(SDK_NOTIFICATION_KEY, resource) == SDK_NOTIFICATION_PLAINTEXT
    for broken in (
        {**resource, "associated_data": "transaction"},
        {**resource, "nonce": "Kj7QIyUiYx1Q"},
        {**resource, "ciphertext": "SGVsbG8gV29ybGQK"},
        {**resource, "ciphertext": "not base64!"},
    ):
        with pytest.raises(ValueError):
            wechat.decrypt_resource(SDK_NOTIFICATION_KEY, broken)
    with pytest.raises(ValueError):
        wechat.decrypt_resource("testMchAPIv3Key1", resource)


@pytest.mark.parametrize(
    ("key", "ciphertext", "decrypts"),
    [
        ("testAPIv3Key0000", "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", True),
        ("testAPIv3Key1111", "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", False),
        ("testAPIv3Key0000", "SGVsbG8gV29ybGQK", False),
    ],
)
def test_the_sdks_aes_gcm_vector(key, ciphertext, decrypts):
    """utils/aes_test.go: "Hello World" under nonce wCq51qZv4Yfg and its associated data."""
    arguments = (key, "wCq51qZv4Yfg", "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8", ciphertext)
    if decrypts:
        assert wechat.decrypt_text(*arguments) == b"Hello World"
    else:
        with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
            wechat.decrypt_text(*arguments)


# --- Alipay: the documented string to sign --------------------------------------------------

DOCUMENTED_MENU = (
    '{"button":[{"actionParam":"ZFB_HFCZ","actionType":"out","name":"话费充值"},'
    '{"name":"查询","subButton":[{"actionParam":"ZFB_YECX","actionType":"out","name":"余额查询"},'
    '{"actionParam":"ZFB_LLCX","actionType":"out","name":"流量查询"},'
    '{"actionParam":"ZFB_HFCX","actionType":"out","name":"话费查询"}]},'
    '{"actionParam":"http://m.alipay.com","actionType":"link","name":"最新优惠"}]}'
)


def test_the_documented_alipay_request_string():
    """自行实现签名: every parameter but sign (empty ones left out), sorted by name, name=value
    joined by &, values as they are (not URL-encoded)."""
    params = {
        "app_id": "2014072300007148",
        "method": "alipay.mobile.public.menu.add",
        "charset": "GBK",
        "sign_type": "RSA2",
        "timestamp": "2014-07-24 03:07:50",
        "biz_content": DOCUMENTED_MENU,
        "sign": "SIGNATURE",
        "version": "1.0",
        "notify_url": "",
    }
    assert alipay.sign_text(params) == (
        "app_id=2014072300007148&biz_content="
        + DOCUMENTED_MENU
        + "&charset=GBK&method=alipay.mobile.public.menu.add&sign_type=RSA2"
        "&timestamp=2014-07-24 03:07:50&version=1.0"
    )


def test_an_alipay_notification_is_verified_without_sign_and_sign_type():
    """异步通知验签: the rule differs from the request's: sign and sign_type are both left out
    (the values here are the rule's illustration, not a published notification)."""
    params = {
        "notify_time": "2015-06-11 22:33:46",
        "sign_type": "RSA2",
        "sign": "SIGNATURE",
        "app_id": "2014072300007148",
        "trade_no": "2015061121001004400068549373",
        "out_trade_no": "0611223339-6258",
        "total_amount": "20.00",
    }
    assert alipay.sign_text(params, skip=("sign", "sign_type")) == (
        "app_id=2014072300007148&notify_time=2015-06-11 22:33:46&out_trade_no=0611223339-6258"
        "&total_amount=20.00&trade_no=2015061121001004400068549373"
    )
