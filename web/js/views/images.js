// Images: the image service's list, upload (create, then PUT the file with a
// progress bar; the record is removed again if the upload fails) and delete.
import * as api from '../api.js';
import { h, clear, notify, field, fieldError, bytes, confirmDialog } from '../ui.js';

export async function render(main) {
  const rows = h('tbody');
  const name = h('input#image-name', { name: 'name', maxlength: 255 });
  const file = h('input#image-file', { type: 'file', name: 'file' });
  const format = h('select#image-format', {}, ['qcow2', 'raw', 'iso', 'vmdk', 'vdi', 'vhd', 'ami'].map((f) => h('option', { value: f }, f)));
  const visibility = h('select#image-visibility', {}, ['private', 'shared', 'community', ...(api.isAdmin() ? ['public'] : [])].map((v) => h('option', { value: v }, v)));
  const progress = h('progress#upload-progress', { max: 100, value: 0, hidden: true });
  const status = h('div#upload-status', { role: 'status' });
  const submit = h('button.primary', { type: 'submit' }, 'Upload');
  const form = h('form.inline-form#upload-form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    let ok = fieldError(name, name.value.trim() ? '' : 'Enter a name.');
    ok = fieldError(file, file.files.length ? '' : 'Choose a file to upload.') && ok;
    if (!ok) return;
    submit.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = 'Creating the image…';
    let image = null;
    try {
      image = await api.post('/image/v2/images', { name: name.value.trim(), disk_format: format.value, container_format: 'bare', visibility: visibility.value });
      status.textContent = 'Uploading…';
      const blob = file.files[0];
      await api.call('PUT', `/image/v2/images/${image.id}/file`, { raw: blob, headers: { 'Content-Type': 'application/octet-stream' },
        onProgress: (done, total) => { progress.value = Math.round((100 * done) / total); status.textContent = `Uploading… ${progress.value}%`; } });
      progress.value = 100;
      status.textContent = `Uploaded ${blob.name} (${bytes(blob.size)}).`;
      notify(`Image ${image.name} uploaded.`, 'success');
      api.invalidate('images');
      form.reset();
      await load();
    } catch (err) {
      if (image) await api.del(`/image/v2/images/${image.id}`).catch(() => {});
      status.textContent = '';
      notify(`The upload failed: ${err.message}`, 'error');
    } finally {
      submit.disabled = false;
    }
  } }, h('h2', 'Upload an image'), h('div.row', field('Name', name), field('File', file), field('Disk format', format), field('Visibility', visibility)),
  h('div.buttons', submit), progress, status);

  async function load() {
    const images = (await api.get('/image/v2/images?limit=1000')).images;
    clear(rows, images.map((i) => h('tr', { dataset: { id: i.id, name: i.name } }, h('td', i.name), h('td', i.status), h('td', bytes(i.size)),
      h('td', i.disk_format || ''), h('td', i.visibility), h('td', i.protected ? 'protected' : ''),
      h('td', h('button.danger.delete-image', { type: 'button', disabled: i.protected, 'aria-label': `Delete image ${i.name}`, onclick: async () => {
        if (!await confirmDialog('Delete image', `Delete image ${i.name}?`, 'Delete')) return;
        try {
          await api.del(`/image/v2/images/${i.id}`);
          notify(`Deleted image ${i.name}.`, 'success');
          api.invalidate('images');
          await load();
        } catch (err) {
          notify(`Could not delete ${i.name}: ${err.message}`, 'error');
        }
      } }, 'Delete')))));
  }
  main.append(h('h1', 'Images'), h('div.table-wrap', h('table.data#images-table', h('thead', h('tr', ['Name', 'Status', 'Size', 'Format', 'Visibility', '', ''].map((t) => h('th', t)))), rows)), form);
  await load();
}
