// A Function Compute custom runtime in C++17 with POSIX sockets only: a small HTTP/1.1 server on
// $FC_SERVER_PORT, one thread per connection, keep-alive supported. POST /initialize runs once per instance
// (the function has an Initializer); POST /invoke gets the event.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace {

const char* const LANG = "cpp";
std::mutex log_mutex;

// Prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request.
void log_line(const std::string& request_id, const std::string& message) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t seconds = system_clock::to_time_t(now);
  const long millis = static_cast<long>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::lock_guard<std::mutex> lock(log_mutex);
  std::printf("%s.%03ldZ %s [INFO] %s\n", stamp, millis, request_id.c_str(), message.c_str());
  std::fflush(stdout);  // stdout is a pipe under Kumo: flush so the line is there before the response
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// Buffered reading from a socket.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection() { close(fd_); }

  // A line without its CRLF, or nullopt at end of stream.
  std::optional<std::string> line() {
    for (;;) {
      const auto end = buffer_.find('\n');
      if (end != std::string::npos) {
        std::string result = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        if (!result.empty() && result.back() == '\r') result.pop_back();
        return result;
      }
      if (buffer_.size() > 64 * 1024 || !fill()) return std::nullopt;
    }
  }

  std::optional<std::string> bytes(size_t count) {
    while (buffer_.size() < count)
      if (!fill()) return std::nullopt;
    std::string result = buffer_.substr(0, count);
    buffer_.erase(0, count);
    return result;
  }

  bool send_all(const std::string& data) {
    for (size_t sent = 0; sent < data.size();) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

 private:
  bool fill() {
    char chunk[16 * 1024];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
};

struct Request {
  std::string method, path, version, body;
  std::map<std::string, std::string> headers;  // lower-case names
};

std::optional<Request> read_request(Connection& conn) {
  const auto start = conn.line();
  if (!start || start->empty()) return std::nullopt;
  Request request;
  const auto first_space = start->find(' ');
  const auto second_space = start->find(' ', first_space + 1);
  if (first_space == std::string::npos || second_space == std::string::npos) return std::nullopt;
  request.method = start->substr(0, first_space);
  request.path = start->substr(first_space + 1, second_space - first_space - 1);
  request.version = start->substr(second_space + 1);
  for (;;) {
    const auto line = conn.line();
    if (!line) return std::nullopt;
    if (line->empty()) break;
    const auto colon = line->find(':');
    if (colon == std::string::npos) continue;
    request.headers[lower(trim(line->substr(0, colon)))] = trim(line->substr(colon + 1));
  }
  if (lower(request.headers["expect"]) == "100-continue") conn.send_all("HTTP/1.1 100 Continue\r\n\r\n");
  if (lower(request.headers["transfer-encoding"]).find("chunked") != std::string::npos) {
    for (;;) {
      const auto size_line = conn.line();
      if (!size_line) return std::nullopt;
      const size_t size = std::strtoul(size_line->c_str(), nullptr, 16);
      if (size == 0) {
        for (auto trailer = conn.line(); trailer && !trailer->empty(); trailer = conn.line()) {
        }
        break;
      }
      const auto chunk = conn.bytes(size);
      if (!chunk || !conn.line()) return std::nullopt;
      request.body += *chunk;
    }
  } else {
    const auto body = conn.bytes(std::strtoul(request.headers["content-length"].c_str(), nullptr, 10));
    if (!body) return std::nullopt;
    request.body = *body;
  }
  return request;
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

void serve(int fd) {
  Connection conn(fd);
  while (const auto request = read_request(conn)) {
    const auto id = request->headers.find("x-fc-request-id");
    const std::string request_id = id == request->headers.end() ? "" : id->second;
    int status = 200;
    std::string body, extra;
    if (request->method == "POST" && request->path == "/initialize") {
      log_line(request_id, std::string(LANG) + " initialized");
    } else if (request->method == "POST" && request->path == "/invoke") {
      const std::string event = request->body.empty() ? "world" : request->body;
      log_line(request_id, std::string(LANG) + " handled " + event);
      body = "Hello, " + event + "! from " + LANG;
      extra = "Content-Type: text/plain; charset=utf-8\r\n";
    } else {
      // How FC expects a custom runtime to report a function error.
      status = 404;
      body = "{\"errorMessage\":\"unknown path " + json_escape(request->path) + "\"}";
      extra = "Content-Type: application/json\r\nx-fc-status: 404\r\n";
    }
    const auto connection = request->headers.find("connection");
    const bool keep_alive = request->version == "HTTP/1.1" &&
                            (connection == request->headers.end() || lower(connection->second) != "close");
    const std::string response = "HTTP/1.1 " + std::to_string(status) +
                                 (status == 200 ? " OK" : " Not Found") + "\r\n" + extra +
                                 "Content-Length: " + std::to_string(body.size()) + "\r\n" +
                                 "Connection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n" + body;
    if (!conn.send_all(response) || !keep_alive) break;
  }
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);
  const char* port_env = std::getenv("FC_SERVER_PORT");
  const int port = port_env ? std::atoi(port_env) : 9000;

  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener, 128) != 0) {
    std::perror("cannot listen");
    return 1;
  }
  std::printf("FunctionCompute %s runtime inited on port %d.\n", LANG, port);
  std::fflush(stdout);

  for (;;) {
    const int client = accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    std::thread(serve, client).detach();
  }
}
