const http = require("http");

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/health") {
    res.end("ok");
  } else if (url.pathname === "/add") {
    // query parameters are strings: "2" + "40" is "240"
    res.end(JSON.stringify({ sum: url.searchParams.get("a") + url.searchParams.get("b") }));
  } else if (url.pathname === "/echo") {
    res.end(JSON.stringify({ msg: "hi" }));
  } else {
    res.end("Sorry, nothing here"); // status 200, not 404
  }
});

server.listen(Number(process.env.PORT) || 3000);
