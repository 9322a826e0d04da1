// Starts the agent for the demo pages with the collector's default project (see /demo/config.js).
Lookout.init({ dsn: window.LOOKOUT_DEMO.dsn, release: window.LOOKOUT_DEMO.release, environment: 'demo' });
