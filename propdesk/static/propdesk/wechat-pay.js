/* WeChat Pay JSAPI inside WeChat: the button holds the parameters the server signed
   (appId, timeStamp, nonceStr, package, signType, paySign); WeChat's own bridge shows its
   payment sheet. When WeChat says the payment went through, "I have paid" asks WeChat Pay. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-wechat-jsapi]");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var params = JSON.parse(button.getAttribute("data-wechat-jsapi"));
      function pay() {
        window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (answer) {
          if (answer && answer.err_msg === "get_brand_wcpay_request:ok") {
            document.getElementById("wechat-paid-form").submit();
          }
        });
      }
      if (typeof window.WeixinJSBridge === "undefined") {
        document.addEventListener("WeixinJSBridgeReady", pay, false);
      } else {
        pay();
      }
    });
  });
})();
