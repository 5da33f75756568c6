/* gettimes default theme: optional enhancements. Every page works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  var SIZE_KEY = "gettimes:text-size";
  var SIZES = [0.9375, 1.0625, 1.1875, 1.3125, 1.4375];

  function storedSize() {
    try {
      var value = parseInt(window.localStorage.getItem(SIZE_KEY), 10);
      return value >= 0 && value < SIZES.length ? value : 1;
    } catch (e) {
      return 1;
    }
  }

  function applySize(step) {
    root.style.setProperty("--story-size", SIZES[step] + "rem");
    try { window.localStorage.setItem(SIZE_KEY, String(step)); } catch (e) { /* private mode */ }
  }

  // The inline script in <head> has already applied the stored size (before the first paint).
  var step = storedSize();

  document.querySelectorAll("[data-text-size]").forEach(function (button) {
    button.addEventListener("click", function () {
      var next = step + parseInt(button.getAttribute("data-text-size"), 10);
      if (next >= 0 && next < SIZES.length) { step = next; applySize(step); }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("[data-copy-url]").forEach(function (button) {
    button.addEventListener("click", function () {
      var url = button.getAttribute("data-copy-url");
      var status = document.getElementById(button.getAttribute("data-status"));
      function done(ok) {
        if (status) { status.textContent = ok ? button.getAttribute("data-copied") : url; }
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { done(true); }, function () { done(false); });
      } else {
        done(false);
      }
    });
  });

  // Without a Kakao app key, KakaoTalk is reached through the device's share sheet, where there is one.
  var webShare = document.querySelector("[data-web-share]");
  if (webShare && navigator.share) {
    webShare.closest("li").hidden = false;
    webShare.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.share({ title: webShare.getAttribute("data-title"), url: webShare.getAttribute("data-web-share") })
        .catch(function () { /* the reader closed the sheet */ });
    });
  }

  // KakaoTalk sharing through Kakao's SDK, loaded only on click and only when the site set an app key.
  var kakao = document.querySelector("[data-kakao-key]");
  if (kakao) {
    kakao.closest("li").hidden = false;
    kakao.addEventListener("click", function (event) {
      event.preventDefault();
      var share = function () {
        if (!window.Kakao.isInitialized()) { window.Kakao.init(kakao.getAttribute("data-kakao-key")); }
        window.Kakao.Share.sendScrap({ requestUrl: kakao.getAttribute("data-url") });
      };
      if (window.Kakao) { share(); return; }
      var script = document.createElement("script");
      script.src = kakao.getAttribute("data-sdk");
      script.onload = share;
      document.head.appendChild(script);
    });
  }

  // The section menu closes with Escape and returns focus to its button.
  var menu = document.querySelector(".menu-toggle");
  if (menu) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }
})();
