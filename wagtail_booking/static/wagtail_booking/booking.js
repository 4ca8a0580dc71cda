// Progressive enhancement for the booking block: the server-rendered forms work without it.
// On the first visit the page is reloaded once to show times in the visitor's detected zone. Then each picker
// becomes a month calendar (days with free times marked, the first free day chosen) with the chosen day's times
// grouped into morning, afternoon and evening, drawn from the free times the page carries as JSON: changing the
// day, the zone or the provider needs no request. Selects never submit on change, so keyboard users can move
// through the options freely.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var detected;
  try { detected = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { detected = null; }
  // After a failed submission, move focus to the summary of what to correct (it is announced as an alert too).
  var summary = document.querySelector(".wb-alert[tabindex='-1']");
  if (summary) { summary.focus(); }
  // Every block on a page reads the same booking_tz, so the first form's reload serves them all. The server maps
  // an alias the browser may report (Asia/Calcutta) to its canonical zone, so the reload happens at most once.
  var first = document.querySelector("form[data-wb-autosubmit]");
  if (first && !first.dataset.wbReady) {
    first.dataset.wbReady = "1";
    var zoneSelect = first.querySelector("[data-wb-timezone]");
    if (zoneSelect && detected && !new URLSearchParams(window.location.search).get("booking_tz") &&
        zoneSelect.value !== detected) {
      zoneSelect.value = detected;
      if (zoneSelect.value !== detected) {  // not one of the options (an alias): send it as the browser says it
        var option = document.createElement("option");
        option.value = option.textContent = detected;
        zoneSelect.appendChild(option);
        zoneSelect.value = detected;
      }
      first.submit();
      return;
    }
  }
  // The page's words in its language: the server translates them into the picker's JSON ("words"); English here
  // only when a page carries none. Day and month names come from Intl in the page's language (<html lang>).
  var WORDS = (function () {
    var holder = document.querySelector("[data-wb-calendar]");
    var data = holder && document.getElementById(holder.dataset.wbCalendar);
    try { return (data && JSON.parse(data.textContent).words) || {}; } catch (error) { return {}; }
  })();
  function t(key, fallback, values) {
    var text = WORDS[key] || fallback;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  var LANG = document.documentElement.lang || "en-GB";
  var PERIODS = [["morning", t("morning", "Morning"), 0], ["afternoon", t("afternoon", "Afternoon"), 12],
                 ["evening", t("evening", "Evening"), 17]];
  var formats = {};

  function format(zone, options, lang) {  // numbers (dayKey, hours) in en-GB; names in the page's language
    var key = (lang || "en-GB") + zone + JSON.stringify(options);
    if (!formats[key]) {
      formats[key] = new Intl.DateTimeFormat(lang || "en-GB", Object.assign({ timeZone: zone }, options));
    }
    return formats[key];
  }
  function dayKey(date, zone) {  // "2027-03-12" in the zone
    var parts = {};
    format(zone, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(date)
      .forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }
  function civil(key) { var p = key.split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])); }
  function keyOf(date) { return date.toISOString().slice(0, 10); }
  function dayName(key, options) { return format("UTC", options, LANG).format(civil(key)); }
  function longDay(key) { return dayName(key, { weekday: "long", day: "numeric", month: "long" }); }
  function shortDay(key) { return dayName(key, { weekday: "short", day: "numeric", month: "short" }); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function enhance(container) {
    var data = JSON.parse(document.getElementById(container.dataset.wbCalendar).textContent);
    var section = container.closest(".wb-booking") || document;
    var whenForm = section.querySelector("form.wb-when");
    var times = section.querySelector("[data-wb-times]");
    // The script may be on the page twice (once per block, or from the base template too): enhance once.
    if (!times || times.hasAttribute("data-wb-alternatives") || !whenForm || container.dataset.wbReady) { return; }
    container.dataset.wbReady = "1";
    var zoneSelect = whenForm.querySelector("[data-wb-timezone]");
    var providerSelect = whenForm.querySelector("[data-wb-provider]");
    var zoneInput = section.querySelector("[data-wb-zone-input]");
    var providerInput = section.querySelector("[data-wb-provider-input]");
    var id = container.dataset.wbCalendar;
    var state = { zone: zoneSelect.value, provider: data.provider, day: data.chosen, month: null, byDay: {} };
    var checked = times.querySelector("input[name=slot]:checked");
    state.slot = checked ? checked.value : null;

    section.classList.add("wb-enhanced");
    container.hidden = false;
    var status = el("p", { "class": "wb-visually-hidden", "aria-live": "polite" });
    container.parentNode.insertBefore(status, container.nextSibling);
    searchableZones(zoneSelect, id);
    zoneSelect.addEventListener("change", function () {
      state.zone = zoneSelect.value;
      if (zoneInput) { zoneInput.value = state.zone; }
      refresh(true);
    });
    if (providerSelect) {
      providerSelect.addEventListener("change", function () {
        state.provider = providerSelect.value;
        if (providerInput) { providerInput.value = state.provider; }
        refresh(true);
      });
    }
    times.addEventListener("change", function (event) {
      if (event.target.name === "slot") { state.slot = event.target.value; }
    });
    refresh(false);

    function refresh(keepDay) {
      state.byDay = {};
      (data.slots[state.provider] || data.slots[""]).forEach(function (slot) {
        var date = new Date(slot[0]);
        var key = dayKey(date, state.zone);
        (state.byDay[key] = state.byDay[key] || []).push({ value: slot[0] + "|" + slot[1], date: date, seats: slot[2] || "" });
      });
      // A full day stays chosen (the times say when the next free one is); the first visit opens the first free day.
      if (!keepDay || !state.day) { state.day = data.chosen || Object.keys(state.byDay).sort()[0] || data.first; }
      state.month = state.day.slice(0, 7);
      drawCalendar(false);
      drawTimes();
    }

    function nextFree(key) {
      var free = Object.keys(state.byDay).sort();
      for (var i = 0; i < free.length; i++) { if (free[i] > key) { return free[i]; } }
      return free[0] || null;
    }

    function choose(key, focusDay) {
      state.day = key;
      state.month = key.slice(0, 7);
      drawCalendar(focusDay);
      drawTimes();
      var count = (state.byDay[key] || []).length;
      status.textContent = count ? t("free_times_on", "{count} free times on {day}", { count: count, day: longDay(key) })
                                 : t("no_free_times_on", "No free times on {day}.", { day: longDay(key) });
    }

    function drawCalendar(focusDay) {
      var monthStart = civil(state.month + "-01");
      var title = format("UTC", { month: "long", year: "numeric" }, LANG).format(monthStart);
      container.textContent = "";
      var head = el("div", { "class": "wb-cal-head" });
      var prev = el("button", { type: "button", "class": "wb-cal-nav", "aria-label": t("previous_month", "Previous month") }, "‹");
      var next = el("button", { type: "button", "class": "wb-cal-nav", "aria-label": t("next_month", "Next month") }, "›");
      prev.disabled = state.month <= data.first.slice(0, 7);
      next.disabled = state.month >= data.last.slice(0, 7);
      prev.addEventListener("click", function () { moveMonth(-1); });
      next.addEventListener("click", function () { moveMonth(1); });
      head.appendChild(prev);
      head.appendChild(el("h3", { id: id + "-month", "class": "wb-cal-title" }, title));
      head.appendChild(next);
      container.appendChild(head);
      var table = el("table", { "class": "wb-cal", "aria-labelledby": id + "-month" });
      var row = el("tr");
      [1, 2, 3, 4, 5, 6, 7].forEach(function (day) {  // 1 March 2027 is a Monday
        var date = civil("2027-03-0" + day);
        row.appendChild(el("th", { scope: "col", abbr: format("UTC", { weekday: "long" }, LANG).format(date) },
                           format("UTC", { weekday: "short" }, LANG).format(date).replace(".", "").slice(0, 2)));
      });
      table.appendChild(el("thead")).appendChild(row);
      var body = table.appendChild(el("tbody"));
      var cursor = new Date(monthStart.getTime() - ((monthStart.getUTCDay() + 6) % 7) * 864e5);
      do {
        row = body.appendChild(el("tr"));
        for (var i = 0; i < 7; i++, cursor = new Date(cursor.getTime() + 864e5)) {
          var cell = row.appendChild(el("td"));
          var key = keyOf(cursor);
          if (key.slice(0, 7) !== state.month) { continue; }
          var inWindow = key >= data.first && key <= data.last;
          var free = !!state.byDay[key];
          var label = longDay(key) + ", " + (free ? t("free_times", "free times") : inWindow
            ? t("no_free_times", "no free times") : t("not_bookable", "not bookable"));
          var button = el("button", { type: "button", "class": "wb-day" + (free ? " wb-free" : ""),
            "data-day": key, "aria-label": label, "aria-pressed": String(key === state.day),
            tabindex: key === state.day ? "0" : "-1" }, String(cursor.getUTCDate()));
          button.disabled = !inWindow;
          cell.appendChild(button);
        }
      } while (keyOf(cursor).slice(0, 7) === state.month);
      if (!table.querySelector("[tabindex='0']")) {
        var firstDay = table.querySelector(".wb-day:not([disabled])");
        if (firstDay) { firstDay.setAttribute("tabindex", "0"); }
      }
      table.addEventListener("click", function (event) {
        var target = event.target.closest(".wb-day");
        if (target && !target.disabled) { choose(target.dataset.day, true); }
      });
      table.addEventListener("keydown", onKey);
      container.appendChild(table);
      if (focusDay) {
        var selected = container.querySelector("[data-day='" + state.day + "']");
        if (selected) { selected.focus(); }
      }
    }

    function moveMonth(step) {
      var date = civil(state.month + "-01");
      date.setUTCMonth(date.getUTCMonth() + step);
      state.month = keyOf(date).slice(0, 7);
      var free = Object.keys(state.byDay).sort().filter(function (k) { return k.slice(0, 7) === state.month; });
      choose(free[0] || (state.month === data.first.slice(0, 7) ? data.first : state.month + "-01"), false);
      var nav = container.querySelectorAll(".wb-cal-nav")[step < 0 ? 0 : 1];
      (nav.disabled ? container.querySelector(".wb-day[tabindex='0']") : nav).focus();
    }

    function onKey(event) {
      var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      var target = event.target.closest(".wb-day");
      if (!target || !(event.key in steps)) { return; }
      event.preventDefault();
      var date = civil(target.dataset.day);
      var key = keyOf(new Date(date.getTime() + steps[event.key] * 864e5));
      if (key < data.first || key > data.last) { return; }
      choose(key, true);
    }

    function drawTimes() {
      var legend = times.querySelector("legend");
      var error = times.querySelector(".wb-error");
      times.textContent = "";
      legend.textContent = t("time_on", "Time on {day}", { day: longDay(state.day) }) + " ";
      legend.appendChild(el("span", { "class": "wb-zone" }, "(" + state.zone + ")"));
      times.appendChild(legend);
      if (error) { times.appendChild(error); }
      var slots = state.byDay[state.day] || [];
      if (!slots.length) {
        var nextDay = nextFree(state.day);
        var note = times.appendChild(el("p", { "class": "wb-next" },
                                        t("no_free_times_on", "No free times on {day}.", { day: shortDay(state.day) }) + " "));
        if (nextDay) {
          var jump = note.appendChild(el("button", { type: "button", "class": "wb-link" },
                                         t("next_available", "Next available: {day}", { day: shortDay(nextDay) })));
          jump.addEventListener("click", function () { choose(nextDay, true); });
        }
        return;
      }
      PERIODS.forEach(function (period) {
        var inPeriod = slots.filter(function (slot) {
          var hour = +format(state.zone, { hour: "2-digit", hourCycle: "h23" }).format(slot.date);
          var later = PERIODS.filter(function (p) { return p[2] > period[2]; })[0];
          return hour >= period[2] && (!later || hour < later[2]);
        });
        if (!inPeriod.length) { return; }
        var titleId = id + "-" + period[0];
        var group = times.appendChild(el("div", { "class": "wb-period", role: "group", "aria-labelledby": titleId }));
        group.appendChild(el("h3", { "class": "wb-period-title", id: titleId }, period[1]));
        var grid = group.appendChild(el("div", { "class": "wb-time-grid" }));
        inPeriod.forEach(function (slot) {
          var label = grid.appendChild(el("label", { "class": "wb-time" }));
          var radio = label.appendChild(el("input", { type: "radio", name: "slot", value: slot.value, required: "" }));
          if (error) { radio.setAttribute("aria-describedby", error.id); }
          radio.checked = slot.value === state.slot;
          label.appendChild(el("span", {}, format(state.zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
            .format(slot.date)));
          // A class's start says how many seats are left ("3 of 12 seats left", written by the server).
          if (slot.seats) { label.appendChild(el("span", { "class": "wb-seats-left" }, slot.seats)); }
        });
      });
    }
  }

  function searchableZones(select, id) {
    // The detected zone first, then a search box that narrows the list (by city, region or IANA name).
    var detectedOption = detected && select.querySelector("option[value='" + detected + "']");
    if (detectedOption) {
      var group = el("optgroup", { label: t("detected_zone", "Detected time zone") });
      group.appendChild(detectedOption);
      select.insertBefore(group, select.firstChild);
    }
    var field = select.closest(".wb-field");
    var search = el("input", { type: "search", id: id + "-zone-search", "class": "wb-zone-search",
      autocomplete: "off", "aria-controls": select.id, "aria-describedby": id + "-zone-count" });
    var label = el("label", { "for": search.id }, t("search_zones", "Search time zones"));
    var count = el("p", { id: id + "-zone-count", "class": "wb-help", "aria-live": "polite" });
    var before = field.firstChild;
    [label, search, count].forEach(function (node) { field.insertBefore(node, before); });
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var text = (option.textContent + " " + option.value).toLowerCase().replace(/_/g, " ");
          var match = words.every(function (word) { return text.indexOf(word) >= 0; });
          option.hidden = !match;
          if (match) { any = true; shown++; }
        });
        group.hidden = !any;
      });
      count.textContent = words.length ? t(shown === 1 ? "zone_matches" : "zones_match",
                                           shown === 1 ? "{count} time zone matches" : "{count} time zones match",
                                           { count: shown }) : "";
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-wb-calendar]"), enhance);
})();
