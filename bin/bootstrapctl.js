#!/usr/bin/env node
'use strict';
// The `bootstrapctl` command (package.json "bin"): the bundle `npm run build` makes.
require('../dist/apps/bootstrapctl/main.js');
