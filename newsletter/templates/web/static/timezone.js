// Fills the sign-up form's hidden "tz" field with the browser's IANA time zone, so
// issues can arrive at a sensible local time. Without JavaScript the field stays empty.
(function () {
  var field = document.getElementById("tz");
  try {
    if (field) { field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; }
  } catch (e) { /* an old browser: the newsletter's zone is used */ }
})();
