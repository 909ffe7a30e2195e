/* Standalone page logic (plain ES2017, no build step, no dependencies).
 *
 * Starts and polls the check (POST report, GET fragments/report), asks for the coverage table and
 * the explanation (GET fragments/coverage, POST fragments/explain) and inserts the HTML those
 * routes answer: the report, coverage and explanation are rendered on the server by
 * sagemaker_isolation_ext/render/html.py, the renderer the notebook uses, which escapes every
 * value (docs/openapi.yaml). This script writes no report markup of its own; its own words
 * (status lines, the context) go into the DOM with textContent only. Same-origin cookies
 * authenticate; POSTs carry the X-XSRFToken header (jupyter_server's XSRF check).
 */
(function () {
  'use strict';

  var config = {};
  try {
    config = JSON.parse(
      document.getElementById('si-config').textContent || '{}'
    );
  } catch (e) {
    config = {};
  }
  var baseUrl = (config.baseUrl || '/').replace(/\/?$/, '/');
  var apiBase = baseUrl + 'sagemaker-isolation/';
  var POLL_MS = 1000;

  function $(id) {
    return document.getElementById(id);
  }

  /** Replace `node`'s children with the server-rendered `html` (parsed in an inert document). */
  function insertFragment(node, html) {
    var doc = new DOMParser().parseFromString(html || '', 'text/html');
    while (node.firstChild) node.removeChild(node.firstChild);
    while (doc.body.firstChild)
      node.appendChild(document.adoptNode(doc.body.firstChild));
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name)
        return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }

  /** Call a route; resolves to {status, body}; rejects only on network failure. */
  function api(path, options) {
    options = options || {};
    var init = {
      method: options.method || 'GET',
      credentials: 'same-origin',
      headers: {}
    };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers['Content-Type'] = 'application/json';
    }
    // The cookie is the value tornado compares with; the page's copy is a fallback.
    if (init.method !== 'GET')
      init.headers['X-XSRFToken'] = cookie('_xsrf') || config.xsrfToken || '';
    var q = Object.keys(options.query || {})
      .filter(function (k) {
        return options.query[k];
      })
      .map(function (k) {
        return (
          encodeURIComponent(k) + '=' + encodeURIComponent(options.query[k])
        );
      })
      .join('&');
    return fetch(apiBase + path + (q ? '?' + q : ''), init).then(
      function (response) {
        return response.text().then(function (text) {
          var body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            body = { message: text.slice(0, 300), reason: 'not-json' };
          }
          return { status: response.status, body: body };
        });
      }
    );
  }

  function errorText(res) {
    var b = res.body || {};
    return (
      (b.message || 'HTTP ' + res.status) +
      (b.reason ? ' (' + b.reason + ')' : '')
    );
  }

  function showError(message) {
    $('si-error').textContent = message || '';
    $('si-error').hidden = !message;
  }

  function setStatus(message) {
    $('si-status').textContent = message || '';
  }

  // Busy buttons are aria-disabled, never disabled: a disabled button drops the focus to <body>.
  function setBusy(buttons, busy) {
    buttons.forEach(function (b) {
      if (busy) b.setAttribute('aria-disabled', 'true');
      else b.removeAttribute('aria-disabled');
    });
  }

  function isBusy(button) {
    return button.getAttribute('aria-disabled') === 'true';
  }

  /** Move the focus to `target` when it is on one of `from` (or was lost to <body>). */
  function moveFocus(target, from) {
    var active = document.activeElement;
    if (!active || active === document.body || from.indexOf(active) >= 0)
      target.focus();
  }

  // -- the check -----------------------------------------------------------------------------

  var pollTimer = null;
  var userStarted = false;

  function checkButtons() {
    return [$('si-check'), $('si-refresh')];
  }

  function currentKey() {
    return {
      domain_id: $('si-domain').value.trim(),
      region: $('si-region').value.trim()
    };
  }

  function failed(res) {
    setBusy(checkButtons(), false);
    showError(res.status ? errorText(res) : 'Server not reachable: ' + res);
  }

  /** Show a fragments/report answer; poll again while the check runs. */
  function handleFragment(f) {
    setStatus(f.words);
    if (f.status === 'running') {
      pollTimer = setTimeout(poll, POLL_MS);
      return;
    }
    setBusy(checkButtons(), false);
    if (f.error_words) showError(f.error_words);
    if (f.status === 'ready' && f.html) {
      insertFragment($('si-report-body'), f.html);
      $('si-report').hidden = false;
      // After a check the user started (not the report found when the page opens).
      if (userStarted) moveFocus($('si-verdict-title'), checkButtons());
    }
    userStarted = false;
  }

  function poll() {
    pollTimer = null;
    api('fragments/report', { query: currentKey() }).then(function (res) {
      if (res.status !== 200) failed(res);
      else handleFragment(res.body || {});
    }, failed);
  }

  function startCheck(refresh) {
    if (isBusy($('si-check'))) return;
    userStarted = true;
    setBusy(checkButtons(), true);
    showError('');
    if (pollTimer) clearTimeout(pollTimer);
    var key = currentKey();
    var body = { refresh: !!refresh };
    if (key.domain_id) body.domain_id = key.domain_id;
    if (key.region) body.region = key.region;
    setStatus('Starting the check\u2026');
    api('report', { method: 'POST', body: body }).then(function (res) {
      if (res.status !== 200 && res.status !== 202) {
        setStatus('');
        failed(res);
      } else poll();
    }, failed);
  }

  /** "Copy command" buttons of the report fragment copy the command shown above them. */
  function copyCommand(button) {
    var pre = button.previousElementSibling;
    // The button's visible text is its name (no aria-label over it); the outcome is also put
    // in the page's copy status region so screen readers announce it.
    var say = function (message) {
      button.textContent = message;
      $('si-copy-status').textContent = message;
    };
    var manual = function () {
      say('Select the command and copy it');
    };
    if (!pre || !navigator.clipboard || !navigator.clipboard.writeText)
      return manual();
    navigator.clipboard.writeText(pre.textContent).then(function () {
      say('Copied');
      setTimeout(function () {
        button.textContent = 'Copy command';
        $('si-copy-status').textContent = '';
      }, 2000);
    }, manual);
  }

  // -- coverage and explain ------------------------------------------------------------------

  function loadCoverage(q) {
    api('fragments/coverage', { query: { q: q } }).then(function (res) {
      var box = $('si-coverage-table');
      if (res.status === 200) insertFragment(box, res.body.html);
      else insertFragment(box, '');
      if (res.status !== 200) box.appendChild(errorNode(errorText(res)));
    });
  }

  function errorNode(message) {
    var p = document.createElement('p');
    p.className = 'si-error';
    p.setAttribute('role', 'alert');
    p.textContent = message;
    return p;
  }

  function explain(event) {
    event.preventDefault();
    var button = $('si-explain-button');
    var status = $('si-explain-status');
    var box = $('si-explain-result');
    if (isBusy(button)) return;
    setBusy([button], true);
    status.textContent = 'Explaining\u2026';
    var fail = function (message) {
      setBusy([button], false);
      status.textContent = 'Explain failed.';
      insertFragment(box, '');
      box.appendChild(errorNode(message));
    };
    api('fragments/explain', {
      method: 'POST',
      body: {
        message: $('si-explain-text').value,
        offline: $('si-explain-offline').checked
      }
    }).then(
      function (res) {
        if (res.status !== 200) return fail(errorText(res));
        setBusy([button], false);
        status.textContent = res.body.words;
        insertFragment(box, res.body.html);
        moveFocus($('si-explain-result-title'), [button]);
      },
      function (err) {
        fail('Server not reachable: ' + err);
      }
    );
  }

  // -- start ---------------------------------------------------------------------------------

  var SOURCE_WORDS = {
    'studio-metadata': 'domain from the Studio app metadata',
    config: 'domain from the server configuration',
    cli: 'domain from the command line',
    panel: 'domain entered on this page',
    settings: 'domain from the extension settings'
  };

  function contextWords(c) {
    return (
      'Domain ' +
      c.domain_id +
      ' in ' +
      (c.region || '?') +
      ', ' +
      (SOURCE_WORDS[c.source] || 'from ' + c.source) +
      (c.environment_detail ? ' \u00b7 ' + c.environment_detail : '') +
      (c.detail ? ' \u00b7 ' + c.detail : '') +
      " \u00b7 AWS calls use the Jupyter server's credentials: " +
      (c.credentials && c.credentials.words
        ? c.credentials.words
        : "boto3's chain" + (c.profile ? ', profile ' + c.profile : '')) +
      ', not your browser session'
    );
  }

  function start() {
    $('si-form').addEventListener('submit', function (event) {
      event.preventDefault();
      startCheck(false);
    });
    $('si-refresh').addEventListener('click', function () {
      startCheck(true);
    });
    $('si-report-body').addEventListener('click', function (event) {
      var button =
        event.target.closest && event.target.closest('button.si-copy');
      if (button) copyCommand(button);
    });
    $('si-coverage-form').addEventListener('submit', function (event) {
      event.preventDefault();
      loadCoverage($('si-coverage-q').value.trim());
    });
    $('si-explain-form').addEventListener('submit', explain);

    api('version').then(
      function (res) {
        if (res.status !== 200) {
          showError(
            'The sagemaker-isolation server extension did not answer: ' +
              errorText(res)
          );
          return;
        }
        var v = res.body || {};
        var cat = v.catalog || {};
        $('si-version').textContent =
          'v' +
          v.version +
          ' \u00b7 catalog ' +
          (cat.source || '?') +
          ' ' +
          (cat.version || '?');
        // The explainer is shown when the server has the explain route (version's features).
        $('si-explain').hidden = (v.features || []).indexOf('explain') < 0;
      },
      function (err) {
        showError('Server not reachable: ' + err);
      }
    );

    api('context').then(function (res) {
      if (res.status !== 200) return;
      var c = res.body || {};
      if (c.domain_id) {
        $('si-domain').value = c.domain_id;
        if (c.region) $('si-region').value = c.region;
        $('si-context').textContent = contextWords(c);
        poll();
      } else {
        $('si-context').textContent =
          'No domain found automatically: ' +
          (c.detail || '') +
          ' Enter a domain id.';
      }
    });
    loadCoverage('');
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', start);
  else start();
})();
