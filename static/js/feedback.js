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
  // The receipt's QR code (the status page's address), drawn here rather than on the
  // server; without JavaScript the code and the link above it are still on the page.
  document.querySelectorAll("[data-qr]").forEach(function (box) {
    if (typeof qrcode !== "function") { return; }
    var qr = qrcode(0, "M");
    qr.addData(box.getAttribute("data-qr"), "Byte");
    qr.make();
    var count = qr.getModuleCount();
    var border = 2;
    var size = count + 2 * border;
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("width", String(size * 4));
    svg.setAttribute("height", String(size * 4));
    svg.setAttribute("role", "img");
    svg.setAttribute("data-modules", String(count));
    var title = document.createElementNS(ns, "title");
    title.textContent = box.getAttribute("data-qr-title") || "QR code";
    svg.appendChild(title);
    var background = document.createElementNS(ns, "rect");
    background.setAttribute("width", String(size));
    background.setAttribute("height", String(size));
    background.setAttribute("fill", "#fff");
    svg.appendChild(background);
    var d = [];
    for (var row = 0; row < count; row += 1) {
      for (var col = 0; col < count; col += 1) {
        if (qr.isDark(row, col)) {
          d.push("M" + (col + border) + " " + (row + border) + "h1v1h-1z");
        }
      }
    }
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", d.join(""));
    path.setAttribute("fill", "#000");
    svg.appendChild(path);
    box.appendChild(svg);
    var hint = box.parentNode.querySelector(".qr-hint");
    if (hint) { hint.hidden = false; }
  });
})();
