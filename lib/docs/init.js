// Starts Swagger UI on pixserve's own OpenAPI document, with "Try it out" open.
globalThis.ui = globalThis.SwaggerUIBundle({
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  tryItOutEnabled: true,
  deepLinking: true,
});
