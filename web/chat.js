// Mount the rasa-webchat widget (served as /webchat.js from web/node_modules)
// on the page, talking to the Rasa server named in this script tag, with the
// words it names (knowledge/messages.yml), and fill in what the widget leaves
// out for keyboard and screen-reader users.
(function () {
  var settings = document.currentScript.dataset;
  var chat = document.getElementById("chat");
  var announcer = document.getElementById("announcer");
  var KEPT_ANNOUNCEMENTS = 5;
  // The widget restores the stored conversation after it mounts: that is on
  // the page already, not news.
  var announced = storedBotMessageCount();

  window.WebChat.default({
    socketUrl: settings.rasaUrl,
    socketPath: "/socket.io/",
    customData: { language: "en" },
    initPayload: "/greet",
    inputTextFieldHint: settings.inputHint,
    embedded: true,
    customMessageDelay: function () { return 300; },
    // Citations [1] link to the source: open it beside the chat, not instead of it.
    linkTarget: "_blank",
    params: { storage: "local" }
  }, chat);

  function botMessages() {
    return chat.querySelectorAll(".rw-from-response .rw-message-text");
  }

  function storedBotMessageCount() {
    var stored = JSON.parse(window.localStorage.getItem("chat_session") || "{}");
    return (stored.conversation || []).filter(function (message) { return message.sender === "response"; }).length;
  }

  // The widget names neither its input, its icon-only send button nor its
  // scrolling message list, and draws reply buttons as <div>s: name them and
  // make the replies focusable buttons.
  function label(selector, name) {
    var element = chat.querySelector(selector);
    if (element && !element.hasAttribute("aria-label")) element.setAttribute("aria-label", name);
    return element;
  }

  function completeTheWidget() {
    label("textarea.rw-new-message", settings.inputHint);
    var send = label("button.rw-send", settings.sendLabel);
    if (send) send.querySelectorAll("svg").forEach(function (icon) { icon.setAttribute("aria-hidden", "true"); });
    var messages = label(".rw-messages-container", settings.conversationLabel);
    if (messages && !messages.hasAttribute("role")) {
      messages.setAttribute("role", "region");
      messages.tabIndex = 0; // lets keyboard users scroll it
    }
    chat.querySelectorAll("div.rw-reply:not([role])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.tabIndex = 0;
    });
  }

  // Each bot message that arrives after this point goes to the polite live
  // region once; the user's own messages are not read back.
  function announceNewBotMessages() {
    var messages = botMessages();
    for (var index = announced; index < messages.length; index++) {
      var line = document.createElement("p");
      line.textContent = messages[index].innerText;
      announcer.appendChild(line);
    }
    announced = Math.max(announced, messages.length); // the list is empty for a moment while the widget restores it
    while (announcer.childElementCount > KEPT_ANNOUNCEMENTS) announcer.removeChild(announcer.firstElementChild);
  }

  // Enter or Space on a reply button chooses it, as a click does. The widget
  // then removes the buttons: focus goes back to the input, not to the page top.
  chat.addEventListener("keydown", function (event) {
    var reply = event.target.closest('.rw-reply[role="button"]');
    if (!reply || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    reply.click();
    if (!reply.isConnected) chat.querySelector("textarea.rw-new-message").focus();
  });

  completeTheWidget();
  new MutationObserver(function () {
    completeTheWidget();
    announceNewBotMessages();
  }).observe(chat, { childList: true, subtree: true });
})();
