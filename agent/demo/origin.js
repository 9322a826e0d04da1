// Shows this collector's own address in the example command (no inline script: the page keeps a strict CSP possible).
document.querySelectorAll('.origin').forEach((node) => (node.textContent = location.origin));
