// Mount the rasa-webchat widget (served as /webchat.js from web/node_modules)
// on the page, talking to the Rasa server named in this script tag, with the
// input hint it names (knowledge/messages.yml).
(function () {
  var settings = document.currentScript.dataset;
  window.WebChat.default({
    socketUrl: settings.rasaUrl,
    socketPath: "/socket.io/",
    customData: { language: "en" },
    initPayload: "/greet",
    inputTextFieldHint: settings.inputHint,
    embedded: true,
    customMessageDelay: function () { return 300; },
    params: { storage: "local" }
  }, document.getElementById("chat"));
})();
