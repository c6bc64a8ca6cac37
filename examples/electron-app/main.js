// @ts-check
'use strict';

// A complete Electron main process that takes its session settings from
// sessctl. sessctl writes one profile per partition into its output
// directory (`sessctl { output = "..." }`, or <state dir>/profiles);
// @sessctl/electron applies them to the app's sessions, follows every later
// `sessctl apply` or `sessctl watch`, and writes what it applied to
// <output>/status/, which `sessctl show` and `sessctl drift` read.
//
// Run it with `npm install`, then `SESSCTL_PROFILES=DIR npm start`, where
// DIR is the output directory `sessctl apply` printed (package.json depends
// on the adapter by path; in an app: npm install /path/to/sessctl/adapters/electron).

const { app, BrowserWindow, session, desktopCapturer } = require('electron');
const sessctl = require('@sessctl/electron');

const PROFILES = process.env.SESSCTL_PROFILES || '/etc/workapp/sessions';

app.whenReady().then(async () => {
  // Applies every profile in index.json before any window loads a page,
  // then watches the directory. `session` is Electron's session module:
  // the adapter calls session.fromPartition(name, { cache }) for each
  // partition and uses session.defaultSession for the partition "".
  // `desktopCapturer` lets a display_media block's handler list the
  // screens and windows it may share (docs/display-media.md).
  const adapter = await sessctl.start({ dir: PROFILES, session, desktopCapturer });

  // Problems that concern the whole directory (no index.json yet, a newer
  // profile format). The sessions keep their settings meanwhile.
  adapter.on('problem', (message) => console.warn(`sessctl: ${message}`));

  // One event per partition each time its status file is written.
  adapter.on('status', (partition, status) => {
    for (const e of status.errors) {
      console.warn(`sessctl: ${partition || '(default session)'}: ${e.field}: ${e.call ?? 'refused'}: ${e.message}`);
    }
    if (status.rejected) {
      console.warn(`sessctl: ${partition}: revision ${status.rejected.revision} not applied: ${status.rejected.reason}`);
    }
  });

  // A preload script that throws in a page is recorded in its partition's
  // status (`sessctl events`, `sessctl drift`).
  app.on('web-contents-created', (_event, webContents) => adapter.observeWebContents(webContents));

  // Windows name the partition sessctl configured.
  const win = new BrowserWindow({ webPreferences: { partition: 'persist:work' } });
  await win.loadURL('https://intranet.corp.example/');

  app.on('before-quit', () => adapter.close());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
