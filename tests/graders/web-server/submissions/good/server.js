const http = require("http");

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (req.method === "GET" && url.pathname === "/health") {
    res.end("ok");
  } else if (req.method === "GET" && url.pathname === "/add") {
    const sum = Number(url.searchParams.get("a")) + Number(url.searchParams.get("b"));
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ sum }));
  } else if (req.method === "POST" && url.pathname === "/echo") {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.setHeader("Content-Type", "application/json");
      res.end(body);
    });
  } else {
    res.statusCode = 404;
    res.end("not found");
  }
});

// No host: Node listens on every address (:: or 0.0.0.0), as most tutorials do.
server.listen(Number(process.env.PORT) || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
