/* The admin calendar: FullCalendar over the server-rendered page (wagtail_booking/admin/calendar.py).
 * Times travel as wall-clock times of the business's zone without an offset (FullCalendar shows a named zone
 * that way without a time-zone plugin), so what it sends back is read by the server in the same zone. */
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("wb-calendar");
    var source = document.getElementById("wb-calendar-config");
    if (!element || !source || typeof FullCalendar === "undefined") { return; }
    var config = JSON.parse(source.textContent);
    // A phone has no room for a week's seven columns: it lists the week's days instead (and moves by the form).
    var narrow = window.matchMedia("(max-width: 600px)").matches && config.view === "timeGridWeek";
    if (narrow) { config.view = "listWeek"; }
    var status = document.getElementById("wb-cal-status");
    var agenda = document.querySelector("[data-wb-cal-agenda]");
    if (agenda) { agenda.removeAttribute("open"); }

    function say(text, problem) {
      status.textContent = text;
      status.classList.toggle("wb-cal-status--problem", Boolean(problem));
    }

    function csrfToken() {
      var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      var input = document.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : (match ? decodeURIComponent(match[1]) : "");
    }

    function shortTime(iso) { return iso.slice(11, 16); }

    function content(arg) {
      var props = arg.event.extendedProps;
      var box = document.createElement("div");
      box.className = "wb-cal-event-body";
      var parts = [
        ["wb-cal-event-label", props.label],
        ["wb-cal-event-what", props.what],
        ["wb-cal-event-time", arg.timeText],
        ["wb-cal-event-provider", props.provider]
      ];
      parts.forEach(function (part) {
        if (!part[1]) { return; }
        var line = document.createElement("span");
        line.className = part[0];
        line.textContent = part[1];
        box.appendChild(line);
      });
      return { domNodes: [box] };
    }

    function addBookingAt(dateStr) {
      var params = new URLSearchParams({ start: dateStr.slice(0, 19) });
      if (config.oneProvider) { params.set("provider", config.oneProvider); }
      window.location.href = config.addUrl + "?" + params.toString();
    }

    // The list under the calendar was rendered with the page: after a move, take it from a fresh copy of it.
    function refreshList() {
      if (!agenda) { return; }
      fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-wb-cal-agenda]");
        if (fresh) { agenda.replaceChildren.apply(agenda, Array.from(fresh.childNodes)); }
      }).catch(function () { /* the list stays as it was; a reload shows the move */ });
    }

    function move(info) {
      var url = info.event.extendedProps.moveUrl;
      var body = new URLSearchParams({ start: info.event.startStr.slice(0, 19) });
      say("");
      fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            info.revert();
            say(config.text.refused.replace("%(why)s", data.error || response.statusText), true);
            return;
          }
          say(data.message || config.text.moved.replace("%(when)s", shortTime(info.event.startStr)));
          calendar.refetchEvents();
          refreshList();
        });
      }).catch(function () {
        info.revert();
        say(config.text.failed, true);
      });
    }

    var calendar = new FullCalendar.Calendar(element, {
      initialView: config.view,
      initialDate: config.date,
      timeZone: config.timeZone,
      now: config.now,
      locale: config.locale,
      firstDay: 1,
      headerToolbar: false,
      allDaySlot: false,
      nowIndicator: true,
      height: "auto",
      slotMinTime: config.slotMinTime,
      slotMaxTime: config.slotMaxTime,
      scrollTime: config.slotMinTime,
      slotDuration: "00:30:00",
      expandRows: true,
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      dayHeaderFormat: { weekday: "short", day: "numeric", month: "numeric", omitCommas: true },
      noEventsText: config.text.nothing,
      editable: false,
      eventStartEditable: config.canMove,
      eventDurationEditable: false,
      eventContent: content,
      eventDidMount: function (arg) {
        arg.el.setAttribute("title", [arg.event.extendedProps.label, arg.event.extendedProps.what,
                                      arg.event.extendedProps.provider].join(" · "));
      },
      events: {
        url: config.feedUrl,
        extraParams: { site: config.site, providers: config.providers.join(",") },
        failure: function () { say(config.text.loadFailed, true); }
      },
      dateClick: config.canAdd ? function (info) { addBookingAt(info.dateStr); } : null,
      eventDrop: move
    });
    calendar.render();
    window.wagtailBookingCalendar = calendar;
  }
  // Loaded in the page head by the admin: wait for the document.
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
