// Key pairs: list, create (the private key is offered for download once and
// never kept), import a public key, delete.
import * as api from '../api.js';
import { h, clear, notify, field, fieldError, confirmDialog, dialog } from '../ui.js';

const NAME = /^[a-zA-Z0-9 _.@-]{1,255}$/;

export async function render(main) {
  const rows = h('tbody');
  async function load() {
    const list = (await api.get('/v2.1/os-keypairs')).keypairs.map((k) => k.keypair);
    clear(rows, list.length ? list.map((k) => h('tr', { dataset: { name: k.name } }, h('td', k.name), h('td', k.type || 'ssh'), h('td', h('code', k.fingerprint)),
      h('td', h('button.danger', { type: 'button', 'aria-label': `Delete key pair ${k.name}`, onclick: async () => {
        if (!await confirmDialog('Delete key pair', `Delete key pair ${k.name}?`, 'Delete')) return;
        try {
          await api.del(`/v2.1/os-keypairs/${encodeURIComponent(k.name)}`);
          notify(`Deleted key pair ${k.name}.`, 'success');
          await load();
        } catch (err) { notify(err.message, 'error'); }
      } }, 'Delete')))) : h('tr.empty', h('td', { colspan: 4 }, 'No key pairs.')));
  }

  const cName = h('input#keypair-name', { maxlength: 255 });
  const create = h('form.inline-form#keypair-create', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const n = cName.value.trim();
    if (!fieldError(cName, NAME.test(n) ? '' : 'A name of letters, digits, spaces and . _ @ - (1 to 255).')) return;
    try {
      const k = (await api.post('/v2.1/os-keypairs', { keypair: { name: n } })).keypair;
      create.reset();
      await load();
      await offerDownload(k);
    } catch (err) { fieldError(cName, err.message); }
  } }, h('h2', 'Create a key pair'), field('Name', cName), h('div.buttons', h('button.primary', { type: 'submit' }, 'Create')));

  const iName = h('input#import-name', { maxlength: 255 });
  const iKey = h('textarea#import-key', { rows: 3, placeholder: 'ssh-ed25519 AAAA… user@host' });
  const importForm = h('form.inline-form#keypair-import', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const n = iName.value.trim();
    let ok = fieldError(iName, NAME.test(n) ? '' : 'A name of letters, digits, spaces and . _ @ - (1 to 255).');
    ok = fieldError(iKey, /^(ssh-|ecdsa-)/.test(iKey.value.trim()) ? '' : 'Paste an OpenSSH public key (ssh-ed25519 …, ssh-rsa …).') && ok;
    if (!ok) return;
    try {
      await api.post('/v2.1/os-keypairs', { keypair: { name: n, public_key: iKey.value.trim() } });
      notify(`Imported key pair ${n}.`, 'success');
      importForm.reset();
      await load();
    } catch (err) { fieldError(iKey, err.message); }
  } }, h('h2', 'Import a public key'), field('Name', iName), field('Public key', iKey), h('div.buttons', h('button.primary', { type: 'submit' }, 'Import')));

  main.append(h('h1', 'Key pairs'), h('div.table-wrap', h('table.data#keypairs-table', h('thead', h('tr', ['Name', 'Type', 'Fingerprint', ''].map((t) => h('th', t)))), rows)),
    h('div.forms', create, importForm));
  await load();
}

// The private key exists only in this reply: offer it once, then forget it.
async function offerDownload(k) {
  const url = URL.createObjectURL(new Blob([k.private_key], { type: 'application/x-pem-file' }));
  await dialog(`Key pair ${k.name} created`, (close) => h('div',
    h('p', 'Download the private key now: Stratus does not keep it, and this is the only time it is shown.'),
    h('div.buttons', h('a.button.primary#download-key', { href: url, download: `${k.name}.pem` }, `Download ${k.name}.pem`),
      h('button', { type: 'button', onclick: () => close() }, 'Done'))));
  URL.revokeObjectURL(url);
}
