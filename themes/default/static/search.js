/* carepages search page: progressive enhancement over a plain GET form.
 *
 * Without this script the form still submits ?q=... and the page explains how to browse.
 * With it, the page loads the search engine (WebAssembly) and the council's index, shows
 * results as the resident types, and keeps the query in the URL so it can be bookmarked.
 *
 * The page provides (names are the contract with the templates):
 *   <div id="search-app" data-engine="ENGINE.wasm" data-index="INDEX.wasm" data-root="../"
 *        [data-messages='{"yes": "...", ...}'] [data-heading="2"]>
 *     <form role="search" action="" method="get">
 *       <input name="q"> <select name="support"> <select name="for"> <select name="day">
 *       <input type="checkbox" name="open" value="1"> <input type="checkbox" name="dp" value="1">
 *     </form>
 *     <p id="search-status" role="status" aria-live="polite"></p>
 *     <ol id="search-results"></ol>
 *   </div>
 * data-root is the site root, relative to this page; data-messages overrides any text below
 * (for Welsh pages). The script never uses innerHTML: all data goes in through textContent.
 * ES2017, no build step. In Node (tests) it only exports the engine glue.
 */
(function () {
  'use strict';

  const PAGE_SIZE = 50;
  const MESSAGES = {
    yes: 'Taking new clients',
    limited: 'Limited spaces',
    no: 'Not taking new clients',
    areas: 'Areas: {towns}',
    resultsFor: '{n} results for ‘{q}’',
    oneResultFor: '1 result for ‘{q}’',
    noResultsFor: 'No results for ‘{q}’',
    results: '{n} results',
    oneResult: '1 result',
    noResults: 'No services match these choices',
    relaxed: 'No service matched all your words, so these match some of them.',
    ignored: 'No service mentions: {words}.',
    showAll: 'Show all {n} results',
    loading: 'Loading search…',
    failed: 'Search is not working in this browser. You can still browse all services.',
    full: 'Full at the moment',
    paused: 'Paused at the moment',
    understood: 'Searching for:',
    remove: 'Search without {part}',
    openPart: 'Taking new clients',
    directPayment: 'Direct payments',
    nobodyWhatWhere: 'No one offering {what} covers {place} yet.',
    nobodyWhere: 'No one here covers {place} yet.',
    nobodyWhat: 'No one here offers {what} yet.',
    nobody: 'No one here matches all of ‘{q}’ yet.',
    callCouncil: 'Call the council on {phone} to talk about what you need.',
    otherPlaces: '{what} in other places',
    otherHelp: 'Other help in {place}',
    without: 'Nearest, without ‘{part}’',
    call: 'Call {phone}',
    checked: "Council's last check: {date}",
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
      'September', 'October', 'November', 'December'],
  };
  // Form field name -> query field, for the selects.
  const SELECTS = { support: 'support_type', for: 'who_for', day: 'day' };

  /* ---- The engine: a tiny ABI over WebAssembly memory (see crates/search-wasm). ---- */

  function engineFrom(instance, indexBytes) {
    const ex = instance.exports;
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    function call(name, bytes) {
      const ptr = ex.alloc(bytes.length);
      new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
      let status;
      try {
        status = ex[name](ptr, bytes.length);
      } finally {
        ex.dealloc(ptr, bytes.length);
      }
      // Views go stale when memory grows, so read the output through a fresh one.
      const out = decoder.decode(new Uint8Array(ex.memory.buffer, ex.result_ptr(), ex.result_len()));
      if (status !== 0) {
        throw new Error(out ? JSON.parse(out).error : 'search engine status ' + status);
      }
      return out;
    }
    call('open', new Uint8Array(indexBytes));
    return {
      search: (query) => JSON.parse(call('search', encoder.encode(JSON.stringify(query)))),
    };
  }

  async function fetchOk(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
    return response;
  }

  /**
   * Downloads and compiles the engine and downloads the index, both at once. The page does
   * this, not the worker, so the downloads are the ones the page's <link rel=preload> began
   * (a worker's own fetch would download every byte a second time), and the engine compiles
   * while it streams in, off the main thread.
   */
  async function download(engineUrl, indexUrl) {
    const index = fetchOk(indexUrl).then((response) => response.arrayBuffer());
    const response = await fetchOk(engineUrl);
    const type = response.headers.get('content-type') || '';
    const module =
      WebAssembly.compileStreaming && type.indexOf('application/wasm') === 0
        ? await WebAssembly.compileStreaming(response)
        : await WebAssembly.compile(await response.arrayBuffer());
    return { module: module, index: await index };
  }

  async function open(module, indexBytes) {
    return engineFrom(await WebAssembly.instantiate(module, {}), indexBytes);
  }

  async function loadEngine(engineUrl, indexUrl) {
    const got = await download(engineUrl, indexUrl);
    return open(got.module, got.index);
  }

  /**
   * In a Web Worker (this same file, started by the page): the engine opens the index and
   * answers each search off the page's main thread, so typing and scrolling stay smooth on
   * a slow phone while it works.
   */
  function serveInWorker() {
    let ready = null;
    const problem = (err) => String((err && err.message) || err);
    self.onmessage = (event) => {
      const m = event.data || {};
      if (m.type === 'open' && !ready) {
        ready = open(m.module, m.index);
        ready.then(
          () => self.postMessage({ type: 'ready' }),
          (err) => self.postMessage({ type: 'failed', error: problem(err) })
        );
      } else if (m.type === 'search' && ready) {
        ready.then((engine) => {
          try {
            self.postMessage({ type: 'results', id: m.id, results: engine.search(m.query) });
          } catch (err) {
            self.postMessage({ type: 'error', id: m.id, error: problem(err) });
          }
        }, () => {});
      }
    };
  }

  if (typeof document === 'undefined') {
    if (typeof module === 'object') module.exports = { engineFrom, loadEngine, MESSAGES };
    else if (typeof importScripts === 'function' && typeof self === 'object') serveInWorker();
    return;
  }

  // This script's own address, to start it again as the engine's worker.
  const SCRIPT = document.currentScript ? document.currentScript.src : '';

  /**
   * Starts the engine in a worker where the browser can, else on the page; either way its
   * `search` answers with a promise. The worker starts at once, so it is ready by the time
   * the engine has arrived.
   */
  function startEngine(engineUrl, indexUrl) {
    const downloaded = download(engineUrl, indexUrl);
    const onPage = () =>
      downloaded.then((got) => open(got.module, got.index)).then((engine) => ({
        search: (query) => Promise.resolve().then(() => engine.search(query)),
      }));
    if (typeof Worker !== 'function' || !SCRIPT) return onPage();
    let worker;
    try {
      worker = new Worker(SCRIPT);
    } catch (err) {
      return onPage();
    }
    const pending = new Map();
    let next = 0;
    const inWorker = new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        const m = event.data || {};
        if (m.type === 'ready') {
          resolve({
            search: (query) =>
              new Promise((answer, fail) => {
                next += 1;
                pending.set(next, { answer, fail });
                worker.postMessage({ type: 'search', id: next, query: query });
              }),
          });
        } else if (m.type === 'failed') {
          reject(new Error(m.error));
        } else if (pending.has(m.id)) {
          const waiting = pending.get(m.id);
          pending.delete(m.id);
          if (m.type === 'results') waiting.answer(m.results);
          else waiting.fail(new Error(m.error));
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error('the search worker stopped'));
      };
      downloaded.then((got) => {
        // The worker gets the compiled engine and a copy of the index; the page keeps its
        // own in case the worker fails and the page must search.
        try {
          worker.postMessage({ type: 'open', module: got.module, index: got.index });
        } catch (err) {
          reject(err);
        }
      }, reject);
    });
    // A browser that cannot run the engine in a worker still can on the page.
    return inWorker.catch((err) => {
      worker.terminate();
      if (window.console) console.warn(err);
      return onPage();
    });
  }

  /* ---- The page. ---- */

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function start(app) {
    const form = app.querySelector('form[role="search"]');
    const status = document.getElementById('search-status');
    const list = document.getElementById('search-results');
    if (!form || !status || !list || !form.elements.q) return;
    let messages = MESSAGES;
    try {
      messages = Object.assign({}, MESSAGES, JSON.parse(app.dataset.messages || '{}'));
    } catch (err) {
      // Bad overrides must not break search: keep the English defaults.
    }
    const root = new URL(app.dataset.root || '/', document.baseURI);
    const headingTag = 'h' + (Number(app.dataset.heading) || 2);
    let engine = null;
    // Searches asked so far: each answer is shown only if it is for the latest.
    let asked = 0;
    // A change searches at once (no fixed pause: measured, the 150 ms pause there was made
    // up over a third of the wait for a new term on a slow phone). While a search runs, only
    // the newest change waits and runs when it ends, so a slow phone never falls behind.
    let searching = false;
    let waiting = false;
    status.setAttribute('tabindex', '-1');
    const understood = element('p', 'search-understood');
    status.parentNode.insertBefore(understood, status);
    const alternatives = element('div', 'search-alternatives');
    list.parentNode.insertBefore(alternatives, list.nextSibling);
    let limit = PAGE_SIZE;

    function field(name) {
      return form.elements[name] || null;
    }

    // The form as URL parameters, leaving out what is empty, so URLs stay short.
    function formParams() {
      const params = new URLSearchParams();
      const q = field('q').value;
      if (q.trim()) params.set('q', q);
      Object.keys(SELECTS).forEach((name) => {
        if (field(name) && field(name).value) params.set(name, field(name).value);
      });
      ['open', 'dp'].forEach((name) => {
        if (field(name) && field(name).checked) params.set(name, '1');
      });
      return params;
    }

    function fillForm(params) {
      field('q').value = params.get('q') || '';
      Object.keys(SELECTS).forEach((name) => {
        if (field(name)) field(name).value = params.get(name) || '';
      });
      ['open', 'dp'].forEach((name) => {
        if (field(name)) field(name).checked = params.get(name) === '1';
      });
      // Filters chosen before (a bookmarked search) are shown, not folded away.
      const fold = form.querySelector('.filters-fold');
      const chosen = Object.keys(SELECTS).concat(['open', 'dp']).some((name) => params.get(name));
      if (fold && chosen) fold.open = true;
    }

    function queryFrom(params) {
      const query = {
        text: params.get('q') || '',
        taking_new_clients: params.get('open') === '1',
        direct_payment: params.get('dp') === '1',
        limit: limit,
      };
      Object.keys(SELECTS).forEach((name) => {
        if (params.get(name)) query[SELECTS[name]] = params.get(name);
      });
      return query;
    }

    /* What the resident's words were read as, in the page's own labels. */
    function labelOf(part) {
      const select = { support: 'support', who_for: 'for', day: 'day' }[part.kind];
      if (part.kind === 'open') return messages.openPart;
      if (part.kind === 'payment') return messages.directPayment;
      return part.values
        .map((value) => {
          const options = select && field(select) ? Array.from(field(select).options) : [];
          const option = options.find((o) => o.value === value);
          return option ? option.textContent : value;
        })
        .join(' / ');
    }

    function renderUnderstood(results, params) {
      understood.textContent = '';
      const parts = (results.understood && results.understood.parts) || [];
      if (!parts.length) return;
      understood.appendChild(element('span', 'search-understood-label', messages.understood + ' '));
      parts.forEach((part) => {
        const label = labelOf(part);
        const next = new URLSearchParams(params);
        if (part.without.trim()) next.set('q', part.without);
        else next.delete('q');
        const link = element('a', 'search-part', label + ' ×');
        link.href = '?' + next.toString();
        link.setAttribute('aria-label', format(messages.remove, { part: label }));
        link.addEventListener('click', (event) => {
          event.preventDefault();
          fillForm(next);
          run(true);
        });
        understood.appendChild(link);
        understood.appendChild(document.createTextNode(' '));
      });
    }

    function phoneLink(phone, template) {
      const link = element('a', 'search-call', format(template, { phone: phone }));
      link.href = 'tel:' + phone.replace(/[^0-9+]/g, '');
      return link;
    }

    /* Nobody meets everything: say so plainly, give the council's number, then offer the
       nearest listings under headings that say what they leave out. */
    function renderNobody(results, q) {
      const parts = results.understood.parts;
      const what = parts.find((p) => p.kind === 'support');
      const place = parts.find((p) => p.kind === 'place');
      let sentence;
      if (what && place) sentence = format(messages.nobodyWhatWhere, { what: labelOf(what), place: labelOf(place) });
      else if (place) sentence = format(messages.nobodyWhere, { place: labelOf(place) });
      else if (what) sentence = format(messages.nobodyWhat, { what: labelOf(what) });
      else sentence = format(messages.nobody, { q: q });
      status.textContent = sentence;
      if (app.dataset.phone) {
        const help = element('p', 'search-nobody-call');
        help.appendChild(phoneLink(app.dataset.phone, messages.callCouncil));
        alternatives.appendChild(help);
      }
      results.alternatives.forEach((alternative) => {
        let heading;
        if (alternative.without === 'place' && what) heading = format(messages.otherPlaces, { what: labelOf(what) });
        else if (alternative.without === 'support' && place) heading = format(messages.otherHelp, { place: labelOf(place) });
        else if (alternative.without === 'words') heading = messages.relaxed;
        else {
          const left = parts.find((p) => p.kind === alternative.without);
          heading = format(messages.without, { part: left ? labelOf(left) : alternative.without });
        }
        const section = element('section', 'search-alternative');
        section.appendChild(element(headingTag, 'search-alternative-heading', heading));
        const items = element('ol', 'cards');
        alternative.hits.forEach((hit) => items.appendChild(renderHit(hit, true)));
        section.appendChild(items);
        alternatives.appendChild(section);
      });
    }

    function renderHit(hit, nested) {
      const item = element('li', 'search-result');
      const heading = element(headingTag, 'search-result-name');
      const link = element('a', '', hit.name);
      link.href = new URL(hit.url, root).href;
      heading.appendChild(link);
      item.appendChild(heading);
      const summary = hit.summary ? element('p', 'search-result-summary', hit.summary) : null;
      if (summary) item.appendChild(summary);
      // A listing's words not in the page's language (English on a Welsh page, where the
      // listing has no Welsh yet) are marked, as the built pages mark them, so screen readers
      // read them with the right sounds. The index says which (src/search/mod.rs).
      if (hit.lang && hit.lang !== document.documentElement.lang) {
        heading.lang = hit.lang;
        if (summary) summary.lang = hit.lang;
      }
      if (hit.towns.length) {
        const towns = format(messages.areas, { towns: hit.towns.join(', ') });
        item.appendChild(element('p', 'search-result-areas', towns));
      }
      // A listing that is full or paused says so, whatever it says about new clients.
      const state = ['full', 'paused'].indexOf(hit.status) >= 0 ? hit.status : hit.taking_new_clients;
      if (messages[state] && ['yes', 'limited', 'no', 'full', 'paused'].indexOf(state) >= 0) {
        item.appendChild(element('p', 'search-result-status status-' + state, messages[state]));
      }
      if (hit.phone) {
        const call = element('p', 'search-result-phone');
        call.appendChild(phoneLink(hit.phone, messages.call));
        item.appendChild(call);
      }
      const checked = /^(\d{4})-(\d{2})-(\d{2})$/.exec(hit.checked || '');
      const month = checked && messages.months[Number(checked[2]) - 1];
      if (month) {
        const date = Number(checked[3]) + ' ' + month + ' ' + checked[1];
        item.appendChild(element('p', 'search-result-checked', format(messages.checked, { date: date })));
      }
      if (nested) heading.className += ' search-result-nearby';
      return item;
    }

    function countText(total, q) {
      if (q) {
        if (total === 0) return format(messages.noResultsFor, { q: q });
        return format(total === 1 ? messages.oneResultFor : messages.resultsFor, { n: total, q: q });
      }
      if (total === 0) return messages.noResults;
      return total === 1 ? messages.oneResult : format(messages.results, { n: total });
    }

    function render(results, q, params) {
      alternatives.textContent = '';
      renderUnderstood(results, params);
      const items = document.createDocumentFragment();
      results.hits.forEach((hit) => items.appendChild(renderHit(hit)));
      if (results.total > results.hits.length) {
        const more = element('li', 'search-more');
        const button = element('button', '', format(messages.showAll, { n: results.total }));
        button.type = 'button';
        button.addEventListener('click', () => {
          limit = results.total;
          run(false).then(() => {
            // The button is gone after rendering: keep keyboard users in the list.
            const links = list.querySelectorAll('a');
            if (links[results.hits.length]) links[results.hits.length].focus();
          });
        });
        more.appendChild(button);
        items.appendChild(more);
      }
      list.textContent = '';
      list.appendChild(items);
      const parts = (results.understood && results.understood.parts) || [];
      if (results.exact === 0 && q.trim() && (parts.length || (results.alternatives || []).length)) {
        renderNobody(results, q.trim());
        return;
      }
      const notes = [countText(results.total, q.trim())];
      if (results.relaxed) notes.push(messages.relaxed);
      if (results.ignored.length) notes.push(format(messages.ignored, { words: results.ignored.join(', ') }));
      status.textContent = notes.join(' ');
    }

    function run(updateUrl) {
      const params = formParams();
      if (updateUrl) {
        const search = params.toString();
        history.replaceState(null, '', search ? '?' + search : location.pathname);
      }
      if (!engine) return Promise.resolve(); // The first search runs when the engine arrives.
      asked += 1;
      const mine = asked;
      if (!params.toString()) {
        list.textContent = '';
        status.textContent = '';
        return Promise.resolve();
      }
      return engine.search(queryFrom(params)).then(
        (results) => {
          // Only the latest search is shown: an older answer arriving late is dropped.
          if (mine === asked) render(results, params.get('q') || '', params);
        },
        (err) => {
          if (mine !== asked) return;
          status.textContent = messages.failed;
          if (window.console) console.error(err);
        }
      );
    }

    function soon() {
      limit = PAGE_SIZE;
      if (searching) {
        waiting = true;
        return;
      }
      searching = true;
      const done = () => {
        searching = false;
        if (waiting) {
          waiting = false;
          soon();
        }
      };
      Promise.resolve().then(() => run(true)).then(done, done);
    }

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      waiting = false;
      limit = PAGE_SIZE;
      run(true);
      // After asking, a keyboard or screen reader user goes on from the answer.
      status.focus();
    });
    form.addEventListener('input', soon);
    form.addEventListener('change', soon);

    fillForm(new URLSearchParams(location.search));
    // Arriving with a question, the answer pushes everything below it down when it comes:
    // the footer waits out of sight until then, so nothing on the screen jumps while the
    // resident reads (Lighthouse measured a layout shift of 0.56 from the footer alone).
    const arriving = location.search.length > 1;
    const settle = () => document.body.classList.remove('search-arriving');
    if (arriving) {
      document.body.classList.add('search-arriving');
      // On a very slow line the council's number in the footer matters more than stillness.
      setTimeout(settle, 8000);
    }
    if (typeof WebAssembly !== 'object' || !window.fetch || !window.TextDecoder) {
      settle();
      status.textContent = messages.failed;
      return;
    }
    status.textContent = messages.loading;
    startEngine(app.dataset.engine, app.dataset.index).then(
      (loaded) => {
        engine = loaded;
        status.textContent = '';
        run(false).then(() => {
          settle();
          // Arriving with a question (from the search box on another page): on a small
          // screen the answer, not the form, is what the resident needs to see first.
          const question = new URLSearchParams(location.search).get('q');
          const top = understood.textContent ? understood : status;
          if (question && top.getBoundingClientRect().top > window.innerHeight / 3) {
            top.scrollIntoView({ block: 'start' });
          }
        });
      },
      (err) => {
        settle();
        status.textContent = messages.failed;
        if (window.console) console.error(err);
      }
    );
  }

  const app = document.getElementById('search-app');
  if (app) start(app);
})();
