// A button marked data-print opens the browser's print dialog (no inline script: the CSP forbids it).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
