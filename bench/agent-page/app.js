// A small SPA: a History API router, views rendered from fetched JSON, and a button whose
// handler throws (the error the benchmark has the agents capture).
const view = document.getElementById('view');
let orders = [];

const views = {
  '/': () =>
    '<h1>Orders</h1><table><tr><th>#</th><th>Customer</th><th>Total</th><th>Status</th></tr>' +
    orders.map((o) => `<tr><td><a href="/orders/${o.id}" data-route>${o.id}</a></td><td>${o.customer}</td><td>${o.total.toFixed(2)} €</td><td>${o.status}</td></tr>`).join('') +
    '</table>',
  '/customers': () => '<h1>Customers</h1><ul>' + [...new Set(orders.map((o) => o.customer))].map((c) => `<li>${c}</li>`).join('') + '</ul>',
  '/settings': () => '<h1>Settings</h1><label><input type="checkbox" checked> Email me new orders</label>',
};

function render() {
  const order = location.pathname.match(/^\/orders\/(\d+)$/);
  if (order) {
    const o = orders.find((o) => o.id == order[1]);
    view.innerHTML = o ? `<h1>Order ${o.id}</h1><p>${o.customer}: ${o.total.toFixed(2)} € (${o.status})</p>` : '<h1>Not found</h1>';
  } else view.innerHTML = (views[location.pathname] ?? views['/'])();
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-route]');
  if (!link) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href'));
  render();
});
addEventListener('popstate', render);

document.getElementById('boom').addEventListener('click', () => {
  const report = { rows: orders.length };
  // The bug a user would hit: a column list that was never loaded.
  return report.columns.map((column) => column.name);
});

fetch('/orders.json')
  .then((response) => response.json())
  .then((data) => {
    orders = data;
    render();
  });
