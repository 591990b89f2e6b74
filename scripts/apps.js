'use strict';
// The apps of the monorepo, read from nest-cli.json so there is one list.
const { projects } = require('../nest-cli.json');

const apps = Object.entries(projects)
  .filter(([, project]) => project.type === 'application')
  .map(([name]) => name);

// The services `npm start` runs (every app but the command-line tool).
const services = apps.filter((name) => name !== 'bootstrapctl');

module.exports = { apps, services };
