'use strict';
// The apps of the monorepo, read from nest-cli.json so there is one list.
const { projects } = require('../nest-cli.json');

const apps = Object.entries(projects)
  .filter(([, project]) => project.type === 'application')
  .map(([name]) => name);

// The services `npm start` runs: every app but the tools (the command-line tool, the NATS
// configuration generator), which are built with them.
const TOOLS = ['bootstrapctl', 'nats-config'];
const services = apps.filter((name) => !TOOLS.includes(name));

module.exports = { apps, services, TOOLS };
