/* Standalone page logic (plain ES2017, no build step, no dependencies).
 *
 * Talks to the extension's JSON routes (docs/openapi.yaml) under <base_url>/sagemaker-isolation/:
 * version, context, report (GET status / POST start), coverage, and explain when the server has it.
 * Same-origin cookies authenticate; POSTs carry the X-XSRFToken header (jupyter_server's XSRF
 * check). Every value from the server or the user goes into the DOM with textContent / attribute
 * setters, never as HTML.
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
  var MAX_ACTIONS = 20;
  var MAX_COVERAGE_ROWS = 60;

  function $(id) {
    return document.getElementById(id);
  }

  /** Build an element; children are nodes or strings (strings become text nodes). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] === null || attrs[k] === undefined) return;
        if (k === 'text') node.textContent = String(attrs[k]);
        else node.setAttribute(k, String(attrs[k]));
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(
        typeof child === 'object'
          ? child
          : document.createTextNode(String(child))
      );
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function pill(value, label) {
    return el('span', {
      class: 'si-pill',
      'data-value': value,
      text: label || value
    });
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

  function xsrfToken() {
    // The cookie is the value tornado compares with; the page's copy is a fallback.
    return cookie('_xsrf') || config.xsrfToken || '';
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
    if (init.method !== 'GET') init.headers['X-XSRFToken'] = xsrfToken();
    var url = apiBase + path;
    if (options.query) {
      var q = Object.keys(options.query)
        .filter(function (k) {
          return options.query[k];
        })
        .map(function (k) {
          return (
            encodeURIComponent(k) + '=' + encodeURIComponent(options.query[k])
          );
        })
        .join('&');
      if (q) url += '?' + q;
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch (e) {
          body = { message: text.slice(0, 300), reason: 'not-json' };
        }
        return { status: response.status, body: body };
      });
    });
  }

  function errorText(res) {
    var b = res.body || {};
    return (
      (b.message || 'HTTP ' + res.status) +
      (b.reason ? ' (' + b.reason + ')' : '')
    );
  }

  function showError(message) {
    var node = $('si-error');
    node.textContent = message || '';
    node.hidden = !message;
  }

  function setStatus(message) {
    $('si-status').textContent = message || '';
  }

  // -- focus and busy state (keyboard and screen-reader users) ------------------------------
  // Busy buttons are aria-disabled, never disabled: a disabled button drops the focus to <body>.

  function setBusy(button, busy) {
    if (busy) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
  }

  function isBusy(button) {
    return button.getAttribute('aria-disabled') === 'true';
  }

  /** Move the focus to `target` when it is on one of `from` (or was lost to <body>). */
  function moveFocus(target, from) {
    var active = document.activeElement;
    var lost = !active || active === document.body;
    if (lost || from.indexOf(active) >= 0) target.focus();
  }

  // -- report ------------------------------------------------------------------------------

  var VERDICT_LABEL = {
    isolated: 'Isolated',
    not_isolated: 'Not isolated',
    unknown: 'Unknown'
  };

  function statementLabel(ref) {
    var where = ref.sid ? 'Sid ' + ref.sid : 'statement #' + ref.index;
    return ref.policy + ' (' + where + ')';
  }

  var AWS_CAUSE = {
    'scp-or-boundary': 'an SCP or permissions boundary we did not see',
    'missing-context': 'a context key we could not give',
    'policies-changed': 'the policies changed since the check read them',
    other: 'unexplained: please report this as a bug'
  };

  /** AWS's answer for a witness in words, or null when AWS was not asked. */
  function awsBadgeText(aws) {
    if (!aws) return null;
    if (aws.decision === null || aws.decision === undefined)
      return 'AWS could not check: ' + (aws.error || 'no answer');
    if (aws.agrees) return 'confirmed by AWS';
    return (
      'AWS disagrees: ' + (AWS_CAUSE[aws.cause] || aws.cause || AWS_CAUSE.other)
    );
  }

  function copyText(text, button) {
    // The button's visible text is its name (no aria-label over it); the outcome is also put
    // in the page's copy status region so screen readers announce it.
    var say = function (message) {
      button.textContent = message;
      $('si-copy-status').textContent = message;
    };
    var done = function () {
      say('Copied');
      setTimeout(function () {
        button.textContent = 'Copy command';
        $('si-copy-status').textContent = '';
      }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {
        say('Select the command and copy it');
      });
    } else {
      say('Select the command and copy it');
    }
  }

  /** The witness of a cross-domain entry: request, AWS badge, simulator command + copy. */
  function witnessNode(w) {
    if (!w) return null;
    var aws = w.aws || null;
    var badge = awsBadgeText(aws);
    var ctx = Object.keys(w.context || {})
      .map(function (k) {
        return k + '=' + w.context[k];
      })
      .join(', ');
    var cmd = null;
    if (w.simulator_command) {
      var button = el('button', {
        type: 'button',
        class: 'si-copy',
        title: 'Copy the AWS policy simulator command for ' + w.action,
        text: 'Copy command'
      });
      button.addEventListener('click', function () {
        copyText(w.simulator_command, button);
      });
      cmd = el('div', null, el('pre', { text: w.simulator_command }), button);
    }
    return el(
      'details',
      { class: 'si-witness', 'data-testid': 'witness' },
      el(
        'summary',
        null,
        'Proof request',
        badge
          ? el('span', {
              class: 'si-pill si-aws',
              'data-aws': aws.agrees
                ? 'confirmed'
                : aws.cause
                  ? 'disagrees'
                  : 'error',
              title: aws.cause_text || null,
              text: badge
            })
          : null
      ),
      el(
        'div',
        null,
        el('code', {
          text: w.principal + ' calls ' + w.action + ' on ' + w.resource
        })
      ),
      ctx
        ? el(
            'div',
            { class: 'si-muted' },
            'with context: ',
            el('code', { text: ctx })
          )
        : null,
      aws && !aws.agrees && aws.cause_text
        ? el('div', { text: aws.cause_text })
        : null,
      cmd
    );
  }

  /** The report-level AWS policy simulator note (and offline policy files). */
  function awsNoteNode(conf) {
    if (!conf || !conf.note) return null;
    var files = (conf.policy_files || []).map(function (f) {
      return el(
        'li',
        null,
        el('code', { text: f.file }),
        ' ' + f.kind + ' policy ' + f.policy
      );
    });
    var list = files.length ? el('ul', { class: 'si-list' }) : null;
    files.forEach(function (li) {
      list.appendChild(li);
    });
    return el(
      'div',
      { 'data-testid': 'aws-note', 'data-status': conf.status },
      el(
        'p',
        null,
        el('strong', { text: 'AWS policy simulator: ' }),
        conf.note
      ),
      list
    );
  }

  // "Studio still works" (README "New Studio domains"): each flow that does not work, and
  // the role's reach into other users' private spaces.
  function studioFlowsNode(role) {
    var flows = role.flows || [];
    var box = el('div', { class: 'si-muted', 'data-testid': 'studio-flows' });
    if (!flows.length) {
      return box;
    }
    var bad = flows.filter(function (f) {
      return f.status !== 'works';
    });
    box.appendChild(
      el('div', {
        text:
          'Studio flows (' +
          (role.experience || 'unknown') +
          '): ' +
          (flows.length - bad.length) +
          ' work, ' +
          bad.length +
          ' do not'
      })
    );
    if (bad.length) {
      var list = el('ul', { class: 'si-list' });
      bad.forEach(function (f) {
        var b = (f.breaks || [])[0];
        var why = b
          ? b.action +
            ' on ' +
            b.resource +
            (b.statement
              ? ': denied by ' + statementLabel(b.statement)
              : ': no statement allows it')
          : 'depends on ' + (f.depends_on || []).join(', ');
        list.appendChild(
          el(
            'li',
            null,
            el('code', { text: f.id }),
            ' ' + f.status + ': ' + why
          )
        );
      });
      box.appendChild(list);
    }
    var wd = role.within_domain;
    if (wd && ['studio', 'both', 'unknown'].indexOf(role.experience) >= 0) {
      box.appendChild(
        el('div', {
          text:
            "Other users' private spaces: " +
            String(wd.verdict || 'unknown').replace('_', ' ')
        })
      );
    }
    return box;
  }

  function renderRoles(roles) {
    var box = clear($('si-roles'));
    if (!roles.length) {
      box.appendChild(
        el('p', { class: 'si-muted', text: 'No execution role was found.' })
      );
      return;
    }
    var table = el(
      'table',
      { class: 'si-table' },
      el(
        'thead',
        null,
        el(
          'tr',
          null,
          el('th', { text: 'Role' }),
          el('th', { text: 'Used by' }),
          el('th', { text: 'Verdict' }),
          el('th', { text: 'Why' })
        )
      )
    );
    var body = el('tbody');
    roles.forEach(function (role) {
      var leaking = (role.cross_domain || []).filter(function (e) {
        return !e.accepted;
      });
      var why = el('td', null, role.verdict_reason || '');
      if (leaking.length) {
        var list = el('ul', { class: 'si-list' });
        leaking.slice(0, MAX_ACTIONS).forEach(function (entry) {
          var by = (entry.allowed_by || []).map(statementLabel).join('; ');
          var cond =
            entry.conditional_on && entry.conditional_on.length
              ? ' [if ' + entry.conditional_on.join(', ') + ']'
              : '';
          list.appendChild(
            el(
              'li',
              null,
              el('code', { text: entry.action }),
              ' \u2190 ' + by + cond,
              witnessNode(entry.witness)
            )
          );
        });
        if (leaking.length > MAX_ACTIONS) {
          list.appendChild(
            el('li', {
              class: 'si-muted',
              text: '\u2026 and ' + (leaking.length - MAX_ACTIONS) + ' more'
            })
          );
        }
        why.appendChild(
          el(
            'details',
            null,
            el('summary', {
              text:
                plural(leaking.length, 'action', 'actions') +
                " allowed on other domains' resources"
            }),
            list
          )
        );
      }
      why.appendChild(studioFlowsNode(role));
      body.appendChild(
        el(
          'tr',
          { 'data-testid': 'role-row' },
          el(
            'td',
            null,
            el('code', {
              text:
                !role.arn && (!role.name || role.name === 'policy-files')
                  ? 'policy files'
                  : role.name || role.arn,
              title: role.arn || null
            })
          ),
          el('td', {
            text: (role.used_by || []).map(usedByWords).join(', ') || '-'
          }),
          el(
            'td',
            null,
            pill(
              role.verdict || 'unknown',
              VERDICT_LABEL[role.verdict] || role.verdict
            )
          ),
          why
        )
      );
    });
    table.appendChild(body);
    box.appendChild(table);
  }

  function renderFindings(findings) {
    var list = clear($('si-findings'));
    if (!findings.length) {
      list.appendChild(el('li', { class: 'si-muted', text: 'No findings.' }));
      return;
    }
    findings = findings.slice().sort(function (a, b) {
      var x = SEVERITY_ORDER[a.severity];
      var y = SEVERITY_ORDER[b.severity];
      return (x === undefined ? 9 : x) - (y === undefined ? 9 : y);
    });
    findings.forEach(function (f) {
      list.appendChild(
        el(
          'li',
          { 'data-testid': 'finding', 'data-finding-id': f.id },
          pill(f.severity || 'info'),
          ' ',
          el('strong', { text: f.title || f.id }),
          ' ',
          el('code', { class: 'si-muted', text: f.id }),
          f.detail ? el('div', { text: f.detail }) : null,
          f.fix
            ? el(
                'div',
                null,
                el('strong', { text: 'Fix: ' }),
                el('pre', { text: f.fix })
              )
            : null
        )
      );
    });
  }

  function renderReport(report) {
    $('si-report').hidden = false;
    var verdict = $('si-verdict');
    verdict.setAttribute('data-verdict', report.verdict || 'unknown');
    verdict.textContent = VERDICT_LABEL[report.verdict] || 'Unknown';
    // The verdict's words never contradict the findings below it.
    var high = (report.findings || []).filter(function (f) {
      return f.severity === 'high';
    }).length;
    if (report.verdict === 'isolated' && high) {
      verdict.textContent +=
        ' \u2014 but ' +
        plural(high, 'high-severity finding', 'high-severity findings') +
        ' below say a role reaches further: read them first';
    }
    var d = report.domain || {};
    var facts = clear($('si-domain-facts'));
    var cat = report.catalog || {};
    [
      ['Domain', (d.id || '?') + (d.name ? ' (' + d.name + ')' : '')],
      ['Domain ARN', d.arn || '?'],
      [
        'Default experience',
        (d.default_experience || 'unknown') +
          (d.default_experience_detail
            ? ': ' + d.default_experience_detail
            : '')
      ],
      [
        'Studio experience',
        (d.experience || 'unknown') +
          (d.experience_detail ? ': ' + d.experience_detail : '')
      ],
      ['Checked at', report.generated_at || '?'],
      ['Catalog', (cat.source || '?') + ' ' + (cat.version || '?')]
    ].forEach(function (row) {
      facts.appendChild(el('dt', { text: row[0] }));
      facts.appendChild(el('dd', { text: row[1] }));
    });
    renderRoles(report.roles || []);
    var awsNote = awsNoteNode(report.aws_confirmation);
    if (awsNote) $('si-roles').appendChild(awsNote);
    renderFindings(report.findings || []);
    var errors = clear($('si-errors'));
    (report.errors || []).forEach(function (e) {
      errors.appendChild(
        el(
          'li',
          null,
          el('code', { text: e.operation || '?' }),
          ' ' +
            (e.target || '') +
            ': ' +
            (e.code || '') +
            (e.message ? ' \u2014 ' + e.message : '')
        )
      );
    });
    if (!(report.errors || []).length)
      errors.appendChild(el('li', { class: 'si-muted', text: 'none' }));
    var cs = report.coverage_summary;
    if (cs) {
      $('si-coverage-summary').textContent =
        cs.actions +
        ' SageMaker actions; ' +
        cs.uncovered_actions +
        ' cannot be isolated by tags (no taggable resource type).';
    }
  }

  var pollTimer = null;
  var userStarted = false;

  function currentKey() {
    return {
      domain_id: $('si-domain').value.trim(),
      region: $('si-region').value.trim()
    };
  }

  function handleStatus(status) {
    if (!status) return;
    var p = status.progress || {};
    if (status.status === 'running') {
      setStatus(
        'Checking\u2026 ' +
          (p.stage || '') +
          (p.total ? ' ' + p.done + '/' + p.total : '')
      );
      pollTimer = setTimeout(poll, POLL_MS);
    } else if (status.status === 'ready' && status.report) {
      checkDone();
      setStatus(
        'Verdict: ' +
          (VERDICT_LABEL[status.report.verdict] || 'Unknown').toLowerCase() +
          '. Report ready' +
          (status.finished_at ? ' (' + status.finished_at + ')' : '') +
          '.'
      );
      renderReport(status.report);
      // After a check the user started (not the report found when the page opens).
      if (userStarted) moveFocus($('si-verdict-title'), checkButtons());
      userStarted = false;
    } else if (status.status === 'error' && status.error) {
      checkDone();
      setStatus('The check failed.');
      showError(
        'The check failed: ' +
          status.error.message +
          (status.error.reason ? ' (' + status.error.reason + ')' : '')
      );
    } else {
      checkDone();
      setStatus('No recent report for this domain: press Check.');
    }
  }

  function checkButtons() {
    return [$('si-check'), $('si-refresh')];
  }

  function checkDone() {
    checkButtons().forEach(function (b) {
      setBusy(b, false);
    });
  }

  function poll() {
    pollTimer = null;
    api('report', { query: currentKey() }).then(
      function (res) {
        if (res.status !== 200) {
          checkDone();
          showError(errorText(res));
          return;
        }
        handleStatus(res.body);
      },
      function (err) {
        checkDone();
        showError('Server not reachable: ' + err);
      }
    );
  }

  function startCheck(refresh) {
    if (isBusy($('si-check'))) return;
    userStarted = true;
    checkButtons().forEach(function (b) {
      setBusy(b, true);
    });
    showError('');
    if (pollTimer) clearTimeout(pollTimer);
    var key = currentKey();
    var body = { refresh: !!refresh };
    if (key.domain_id) body.domain_id = key.domain_id;
    if (key.region) body.region = key.region;
    setStatus('Starting the check\u2026');
    api('report', { method: 'POST', body: body }).then(
      function (res) {
        if (res.status !== 200 && res.status !== 202) {
          checkDone();
          setStatus('');
          showError(errorText(res));
          return;
        }
        handleStatus(res.body);
      },
      function (err) {
        checkDone();
        showError('Server not reachable: ' + err);
      }
    );
  }

  // -- coverage ----------------------------------------------------------------------------

  function loadCoverage(q) {
    api('coverage', { query: { q: q } }).then(function (res) {
      var box = clear($('si-coverage-table'));
      if (res.status !== 200) {
        box.appendChild(el('p', { class: 'si-error', text: errorText(res) }));
        return;
      }
      var t = res.body || {};
      var counts = t.counts || {};
      $('si-coverage-summary').textContent =
        (counts.actions || 0) +
        ' SageMaker actions in ' +
        (t.source || '?') +
        ' ' +
        (t.version || '') +
        ': ' +
        (counts.covered || 0) +
        ' can be isolated by tags, ' +
        (counts.uncovered || 0) +
        ' cannot.';
      if (t.explanation)
        box.appendChild(el('p', { class: 'si-muted', text: t.explanation }));
      var actions = t.actions || [];
      var table = el(
        'table',
        { class: 'si-table', 'data-testid': 'coverage-table' },
        el(
          'thead',
          null,
          el(
            'tr',
            null,
            el('th', { text: 'Action' }),
            el('th', { text: 'Access level' }),
            el('th', { text: 'Resource types' }),
            el('th', { text: 'Tags isolate it' })
          )
        )
      );
      var body = el('tbody');
      actions.slice(0, MAX_COVERAGE_ROWS).forEach(function (a) {
        body.appendChild(
          el(
            'tr',
            null,
            el('td', null, el('code', { text: a.action })),
            el('td', { text: a.access_level || '' }),
            el('td', {
              text:
                (a.resource_types || [])
                  .map(function (r) {
                    return r.key;
                  })
                  .join(', ') || '-'
            }),
            el(
              'td',
              null,
              pill(
                String(!!a.covered),
                a.covered
                  ? 'yes'
                  : 'no' + (a.reason ? ': ' + coverageWhy(a) : '')
              )
            )
          )
        );
      });
      table.appendChild(body);
      box.appendChild(table);
      if (actions.length > MAX_COVERAGE_ROWS) {
        box.appendChild(
          el('p', {
            class: 'si-muted',
            text:
              actions.length - MAX_COVERAGE_ROWS + ' more: narrow the search.'
          })
        );
      }
    });
  }

  // -- explain -----------------------------------------------------------------------------

  var CHECK_WORDS = {
    'resource-tags': "the resource's tags",
    'principal-policies': "the principal's role policies",
    'live-evidence': 'live evidence',
    catalog: 'the action catalog'
  };

  var SOURCE_WORDS = {
    'studio-metadata': 'domain from the Studio app metadata',
    config: 'domain from the server configuration',
    cli: 'domain from the command line',
    panel: 'domain entered on this page',
    settings: 'domain from the extension settings'
  };

  /** Why an action is not covered, in words (the reason id stays in the JSON). */
  function coverageWhy(a) {
    if (a.reason === 'no-resource-type')
      return 'it takes no resource type (authorised on *), so tags cannot scope it';
    if (a.reason === 'resource-type-not-taggable') {
      var rts = a.resource_types || [];
      var bad = rts
        .filter(function (r) {
          return !r.taggable;
        })
        .map(function (r) {
          return r.key;
        });
      return (
        bad.length +
        ' of its ' +
        plural(rts.length, 'resource type', 'resource types') +
        ' take no tag condition keys (' +
        bad.join(', ') +
        '); a request on those cannot be isolated by tags'
      );
    }
    return a.reason;
  }

  var SEVERITY_ORDER = { high: 0, medium: 1, low: 2, info: 3 };

  function usedByWords(u) {
    if (u === 'domain-default') return 'domain default';
    if (u === 'default-space') return 'default space (shared spaces)';
    if (u === 'policy-files') return 'policy files';
    if (u.indexOf('user-profile:') === 0)
      return 'user profile ' + u.slice('user-profile:'.length);
    return u;
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many);
  }

  function renderExplanation(r) {
    var box = clear($('si-explain-result'));
    var n = (r.causes || []).length;
    box.appendChild(
      el('h3', {
        id: 'si-explain-result-title',
        tabindex: '-1',
        text: 'Result: ' + n + ' possible cause' + (n === 1 ? '' : 's')
      })
    );
    box.appendChild(
      el(
        'p',
        null,
        el('strong', {
          text: r.reason
            ? 'Denied: ' + (r.reason_text || r.reason.replace(/_/g, ' '))
            : 'Not an AWS authorization error message.'
        }),
        r.reason ? ' ' : '',
        r.reason ? el('code', { class: 'si-muted', text: r.reason }) : null,
        ' \u00b7 evidence: ' + (r.mode || 'offline')
      )
    );
    var facts = el('dl', { class: 'si-facts' });
    [
      'principal',
      'action',
      'resource',
      'operation',
      'policy_type',
      'policy_arn',
      'error_code'
    ].forEach(function (k) {
      if (r[k]) {
        facts.appendChild(el('dt', { text: k.replace(/_/g, ' ') }));
        facts.appendChild(el('dd', null, el('code', { text: r[k] })));
      }
    });
    box.appendChild(facts);
    // What was and was not checked: once per answer (every cause carries the same lists).
    var checks = el('ul', {
      class: 'si-list',
      'data-testid': 'explain-checks'
    });
    var seen = {};
    (r.causes || []).forEach(function (c) {
      var ev = c.evidence || {};
      (ev.checked || []).forEach(function (x) {
        var key = 'c|' + x.check + '|' + x.result;
        if (seen[key]) return;
        seen[key] = true;
        checks.appendChild(
          el('li', {
            text:
              'checked ' + (CHECK_WORDS[x.check] || x.check) + ': ' + x.result
          })
        );
      });
      (ev.not_checked || []).forEach(function (x) {
        var key = 'n|' + x.check + '|' + x.why;
        if (seen[key]) return;
        seen[key] = true;
        checks.appendChild(
          el(
            'li',
            null,
            'not checked ' + (CHECK_WORDS[x.check] || x.check) + ': ' + x.why,
            x.body
              ? el(
                  'details',
                  null,
                  el('summary', { text: 'Answer received' }),
                  el('pre', { text: x.body })
                )
              : null
          )
        );
      });
    });
    if (checks.firstChild) box.appendChild(checks);
    var list = el('ol', { class: 'si-findings' });
    (r.causes || []).forEach(function (c) {
      list.appendChild(
        el(
          'li',
          { 'data-testid': 'cause', 'data-cause-id': c.id },
          el('strong', { text: c.title || c.id }),
          ' ',
          pill(c.confidence || 'info'),
          ' ',
          el('code', { class: 'si-muted', text: c.id }),
          c.detail ? el('div', { text: c.detail }) : null,
          c.fix
            ? el(
                'div',
                null,
                el('strong', { text: 'Fix: ' }),
                el('pre', { text: c.fix })
              )
            : null
        )
      );
    });
    box.appendChild(list);
  }

  function explain(event) {
    event.preventDefault();
    var text = $('si-explain-text').value;
    var button = $('si-explain-button');
    var status = $('si-explain-status');
    if (isBusy(button)) return;
    setBusy(button, true);
    status.textContent = 'Explaining\u2026';
    api('explain', {
      method: 'POST',
      body: { message: text, offline: $('si-explain-offline').checked }
    }).then(
      function (res) {
        setBusy(button, false);
        if (res.status !== 200) {
          status.textContent = 'Explain failed.';
          clear($('si-explain-result')).appendChild(
            el('p', { class: 'si-error', role: 'alert', text: errorText(res) })
          );
          return;
        }
        var r = res.body || {};
        var n = (r.causes || []).length;
        status.textContent =
          'Explained: ' + n + ' possible cause' + (n === 1 ? '' : 's') + '.';
        renderExplanation(r);
        moveFocus($('si-explain-result-title'), [button]);
      },
      function (err) {
        setBusy(button, false);
        status.textContent = 'Explain failed.';
        clear($('si-explain-result')).appendChild(
          el('p', {
            class: 'si-error',
            role: 'alert',
            text: 'Server not reachable: ' + err
          })
        );
      }
    );
  }

  /** Show the explainer when the server has the explain route: the version route says so
   * (features: ["explain"]) or a harmless offline probe does not answer 404. */
  function detectExplain(version) {
    var features = (version && version.features) || [];
    if (features.indexOf('explain') >= 0) return Promise.resolve(true);
    return api('explain', {
      method: 'POST',
      body: { message: '', offline: true }
    }).then(
      function (res) {
        return res.status !== 404 && res.status !== 405;
      },
      function () {
        return false;
      }
    );
  }

  // -- start -------------------------------------------------------------------------------

  function start() {
    $('si-form').addEventListener('submit', function (event) {
      event.preventDefault();
      startCheck(false);
    });
    $('si-refresh').addEventListener('click', function () {
      startCheck(true);
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
        detectExplain(v).then(function (present) {
          $('si-explain').hidden = !present;
        });
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
        $('si-context').textContent =
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
          ', not your browser session';
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
