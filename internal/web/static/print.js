// 打印本页: the print buttons are hidden in the page as served and shown
// here, so that without JavaScript there is no button that does nothing
// (the browser's own Print works the same).
document.querySelectorAll("button[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
