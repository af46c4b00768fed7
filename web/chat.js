// Mount the rasa-webchat widget (served as /webchat.js from web/node_modules)
// on the page, talking to the Rasa server named in this script tag.
(function () {
  var rasaUrl = document.currentScript.dataset.rasaUrl;
  window.WebChat.default({
    socketUrl: rasaUrl,
    socketPath: "/socket.io/",
    customData: { language: "en" },
    initPayload: "/greet",
    inputTextFieldHint: "Type your question...",
    embedded: true,
    customMessageDelay: function () { return 300; },
    params: { storage: "local" }
  }, document.getElementById("chat"));
})();
