/*! Baton chat widget. On a page: <script src="https://<baton>/widget.js" async></script>
 * Optional attributes: data-colour="#0b57d0", data-position="left" | "right",
 * data-greeting="Hi! How can we help?", data-locale="id" | "en" (else the page's or browser's
 * language). API: Baton.open(), Baton.close(), Baton.on('unread', fn),
 * Baton.identify(token) (a short-lived HS256 JWT the site's backend signed for its customer).
 * The chat itself is Baton's /chat/embed page in an iframe of Baton's own origin, loaded when
 * the visitor first opens the launcher (or at once on a later page while a chat goes on). */
(function () {
  'use strict';
  if (window.Baton && window.Baton.version) return;
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(script.src, location.href).origin;
  var data = script.dataset;
  var KEY = 'baton.widget';
  var MAX_UNREAD = 999;
  var colour = data.colour || data.color || '';
  if (!/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(colour)) colour = '#0b57d0';
  var side = data.position === 'left' ? 'left' : 'right';
  var greeting = (data.greeting || '').slice(0, 120);
  // The visitor's language: the tag's, else the host page's, else the browser's.
  var lang = String(data.locale || document.documentElement.lang || navigator.language || '')
    .slice(0, 2).toLowerCase();
  lang = lang === 'id' || lang === 'in' ? 'id' : 'en';
  var WORDS = {
    en: { open: 'Open chat', close: 'Close chat', chat: 'Chat', title: 'Chat with us',
      one: '1 unread message', many: ' unread messages' },
    id: { open: 'Buka chat', close: 'Tutup chat', chat: 'Chat', title: 'Chat dengan kami',
      one: '1 pesan belum dibaca', many: ' pesan belum dibaca' }
  }[lang];

  var state = load();
  var listeners = { unread: [], open: [], close: [] };
  var MAX_TOKEN = 4096;
  var root, button, badge, panel, frame, frameReady = false, unread = 0, isOpen = false;
  var identity = null;

  function load() {
    try {
      var kept = JSON.parse(localStorage.getItem(KEY) || '{}');
      return { open: kept.open === true, active: kept.active === true };
    } catch (e) {
      return { open: false, active: false };
    }
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function emit(name, value) {
    listeners[name].forEach(function (fn) {
      try { fn(value); } catch (e) { console.error(e); }
    });
  }
  function tell(message) {
    if (frame && frameReady) {
      message.baton = 1;
      frame.contentWindow.postMessage(message, base);
    }
  }

  var css =
    ':host{all:initial}' +
    '.launcher{position:fixed;bottom:20px;' + side + ':20px;width:56px;height:56px;border:0;' +
    'border-radius:50%;background:' + colour + ';color:#fff;cursor:pointer;z-index:2147483646;' +
    'box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}' +
    '.launcher:focus-visible{outline:3px solid #111;outline-offset:3px}' +
    '.badge{position:absolute;top:-4px;' + (side === 'left' ? 'right' : 'left') + ':-4px;' +
    'min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;' +
    'background:#b3261e;color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center}' +
    '.badge[hidden],.panel[hidden]{display:none}' +
    '.panel{position:fixed;bottom:88px;' + side + ':20px;width:380px;height:min(640px,calc(100vh - 108px));' +
    'border-radius:12px;overflow:hidden;background:#fff;z-index:2147483647;' +
    'box-shadow:0 8px 32px rgba(0,0,0,.3);display:flex;flex-direction:column}' +
    '.bar{display:flex;justify-content:flex-end;background:' + colour + '}' +
    '.close{border:0;background:transparent;color:#fff;font:600 14px system-ui,sans-serif;' +
    'padding:8px 14px;cursor:pointer}' +
    '.close:focus-visible{outline:2px solid #fff;outline-offset:-4px}' +
    'iframe{flex:1;width:100%;border:0}' +
    '@media (max-width:480px){.panel{inset:0;width:auto;height:auto;border-radius:0}}';

  function mount() {
    var host = document.createElement('div');
    host.setAttribute('data-baton-widget', '');
    root = host.attachShadow({ mode: 'open' });
    var style = document.createElement('style');
    style.textContent = css;
    button = document.createElement('button');
    button.type = 'button';
    button.className = 'launcher';
    button.setAttribute('aria-label', WORDS.open);
    button.setAttribute('aria-expanded', 'false');
    button.innerHTML =
      '<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">' +
      '<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
    badge = document.createElement('span');
    badge.className = 'badge';
    badge.hidden = true;
    button.appendChild(badge);
    button.addEventListener('click', function () { isOpen ? close() : open(); });
    panel = document.createElement('div');
    panel.className = 'panel';
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', WORDS.chat);
    var bar = document.createElement('div');
    bar.className = 'bar';
    var closer = document.createElement('button');
    closer.type = 'button';
    closer.className = 'close';
    closer.textContent = WORDS.close;
    closer.addEventListener('click', close);
    bar.appendChild(closer);
    panel.appendChild(bar);
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') close();
    });
    root.append(style, panel, button);
    document.body.appendChild(host);
  }

  function ensureFrame() {
    if (frame) return;
    frame = document.createElement('iframe');
    frame.title = WORDS.title;
    frame.setAttribute('allow', 'clipboard-write');
    var query = '?locale=' + lang + (greeting ? '&greeting=' + encodeURIComponent(greeting) : '');
    // The page the customer is on, for the agents (without its query and fragment, which may
    // carry the shop's own tokens).
    var page = (location.origin + location.pathname).slice(0, 2000);
    if (/^https?:/.test(page)) query += '&page=' + encodeURIComponent(page);
    frame.src = base + '/chat/embed' + query;
    panel.appendChild(frame);
  }

  function showUnread(count) {
    unread = count;
    badge.hidden = count === 0;
    badge.textContent = count > 99 ? '99+' : String(count);
    var label = count === 1 ? WORDS.one : count + WORDS.many;
    button.setAttribute('aria-label', count ? WORDS.open + ', ' + label : WORDS.open);
    emit('unread', count);
  }

  // Opens or closes the chat panel; the first opening loads the chat.
  function show(opening) {
    if (!panel || (!opening && !isOpen)) return;
    if (opening) ensureFrame();
    isOpen = opening;
    panel.hidden = !opening;
    button.setAttribute('aria-expanded', String(opening));
    state.open = opening;
    save();
    tell({ type: opening ? 'open' : 'close' });
    (opening ? frame : button).focus();
    emit(opening ? 'open' : 'close');
  }
  function open() { show(true); }
  function close() { show(false); }

  window.addEventListener('message', function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== base) return;
    var message = event.data;
    if (!message || typeof message !== 'object' || message.baton !== 1) return;
    if (message.type === 'ready') {
      frameReady = true;
      tell({ type: 'hello', open: isOpen });
      if (identity) tell({ type: 'identify', token: identity });
    } else if (message.type === 'identity' && message.ok === false) {
      var why = typeof message.error === 'string' ? message.error.slice(0, 300) : 'refused';
      console.error('Baton: ' + why);
    } else if (message.type === 'unread') {
      var count = message.count;
      if (typeof count === 'number' && count >= 0 && count <= MAX_UNREAD && count % 1 === 0) {
        showUnread(isOpen ? 0 : count);
      }
    } else if (message.type === 'active' && typeof message.active === 'boolean') {
      state.active = message.active;
      save();
    }
  });

  window.Baton = {
    version: 1,
    open: open,
    close: close,
    identify: function (token) {
      if (typeof token !== 'string' || token.split('.').length !== 3 || token.length > MAX_TOKEN) {
        console.error('Baton.identify: expected the JWT your server signed for this customer');
        return;
      }
      identity = token;
      tell({ type: 'identify', token: token });
    },
    on: function (name, fn) {
      if (listeners[name] && typeof fn === 'function') {
        listeners[name].push(fn);
        if (name === 'unread') fn(unread);
      }
    },
  };

  function start() {
    fetch(base + '/widget/status', { credentials: 'omit' })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!status.enabled) {
          console.warn('Baton: the chat widget is off on ' + base +
            ': start Baton with --widget-origins ' + location.origin);
          return;
        }
        if (!status.allowed) {
          console.error('Baton: ' + location.origin + ' is not in ' + base +
            "'s --widget-origins, so the chat widget stays off on this page");
          return;
        }
        mount();
        if (state.open) open();
        else if (state.active) ensureFrame();
        window.dispatchEvent(new Event('baton:ready'));
      })
      .catch(function (error) {
        console.error('Baton: could not reach ' + base + ' (' + error + ')');
      });
  }

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
