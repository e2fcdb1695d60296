// The login page: Keystone v3 password authentication, scoped to a project.
import * as api from '../api.js';
import { h, field, fieldError } from '../ui.js';
import { navigate } from '../main.js';

export function render(main, _params, { message } = {}) {
  const user = h('input', { name: 'username', autocomplete: 'username', autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password' });
  const project = h('input', { name: 'project', value: 'admin' });
  const status = h('div#login-status', { role: 'alert' }, message ? h('div.message.warning', message) : null);
  const submit = h('button.primary', { type: 'submit' }, 'Log in');
  const form = h('form.login', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    let ok = fieldError(user, user.value.trim() ? '' : 'Enter your user name.');
    ok = fieldError(password, password.value ? '' : 'Enter your password.') && ok;
    ok = fieldError(project, project.value.trim() ? '' : 'Enter a project name.') && ok;
    if (!ok) return;
    submit.disabled = true;
    status.replaceChildren();
    try {
      await api.login(user.value.trim(), password.value, project.value.trim());
      navigate('/instances');
    } catch (err) {
      status.replaceChildren(h('div.message.error', err.status === 401 ? 'Invalid user name, password or project.' : err.message));
      submit.disabled = false;
    }
  } },
  h('h1', 'Log in to Stratus'), status,
  field('User name', user), field('Password', password), field('Project', project),
  h('div.buttons', submit));
  main.append(form);
}
