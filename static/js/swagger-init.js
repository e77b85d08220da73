// Starts Swagger UI with the settings the page carries (no inline script under the CSP).
window.addEventListener('load', function () {
  var config = JSON.parse(document.getElementById('swagger-config').textContent);
  window.ui = SwaggerUIBundle(config);
});
