// The public feedback form's live character counter and the receipt's copy button.
// The form works without it: the server checks the length and keeps what was typed.
(function () {
  var text = document.getElementById("id_text");
  var counter = document.getElementById("text-counter");
  if (text && counter) {
    var limit = parseInt(text.getAttribute("data-limit"), 10) || 5000;
    var template = counter.getAttribute("data-template") || "COUNT / 5000";
    var show = function () {
      counter.textContent = template.replace("COUNT", String(text.value.length));
      counter.classList.toggle("over", text.value.length > limit);
    };
    text.addEventListener("input", show);
    show();
  }
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-done");
      });
    });
  });
})();
