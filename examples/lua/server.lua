-- A Function Compute custom runtime in Lua 5.4 with LuaSocket: a small HTTP/1.1 server on $FC_SERVER_PORT.
-- One thread, a select() loop over all connections (so an idle connection never blocks another), keep-alive
-- supported. POST /initialize runs once per instance (the function has an Initializer); POST /invoke gets
-- the event.
local socket = require('socket')

local LANG = 'lua'
local MAX_HEAD = 64 * 1024

-- Prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request.
local function log(request_id, message)
  local now = socket.gettime()
  local stamp = os.date('!%Y-%m-%dT%H:%M:%S', math.floor(now))
  io.stdout:write(string.format('%s.%03dZ %s [INFO] %s\n', stamp, math.floor(now % 1 * 1000), request_id, message))
  io.stdout:flush() -- stdout is a pipe under Kumo: flush so the line is there before the response
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format('\\u%04x', c:byte()) end) .. '"'
end

-- Parses one request from the start of `buffer`. Returns the request and the rest of the buffer; nil when
-- more bytes are needed; false when the bytes are not HTTP.
local function parse(buffer)
  local head_end = buffer:find('\r\n\r\n', 1, true)
  if not head_end then
    if #buffer > MAX_HEAD then return false end
    return nil
  end
  local head = buffer:sub(1, head_end + 1)
  local method, path, version = head:match('^(%S+) (%S+) (HTTP/%d%.%d)\r\n')
  if not method then return false end
  local headers = {}
  for name, value in head:gmatch('\n([^:\r\n]+):[ \t]*([^\r\n]*)') do headers[name:lower()] = value end
  local pos = head_end + 4
  local body
  if (headers['transfer-encoding'] or ''):lower():find('chunked', 1, true) then
    local parts = {}
    while true do
      local line_end = buffer:find('\r\n', pos, true)
      if not line_end then return nil end
      local size = tonumber(buffer:sub(pos, line_end - 1):match('^%x+') or '', 16)
      if not size then return false end
      pos = line_end + 2
      if size == 0 then
        if buffer:sub(pos, pos + 1) == '\r\n' then
          pos = pos + 2
        else
          local trailers_end = buffer:find('\r\n\r\n', pos, true)
          if not trailers_end then return nil end
          pos = trailers_end + 4
        end
        break
      end
      if #buffer < pos + size + 1 then return nil end
      parts[#parts + 1] = buffer:sub(pos, pos + size - 1)
      pos = pos + size + 2
    end
    body = table.concat(parts)
  else
    local length = tonumber(headers['content-length'] or '0')
    if not length then return false end
    if #buffer < pos + length - 1 then return nil end
    body = buffer:sub(pos, pos + length - 1)
    pos = pos + length
  end
  return { method = method, path = path, version = version, headers = headers, body = body }, buffer:sub(pos)
end

-- Returns status, body and extra header lines.
local function handle(request)
  local request_id = request.headers['x-fc-request-id'] or ''
  if request.method == 'POST' and request.path == '/initialize' then
    log(request_id, LANG .. ' initialized')
    return 200, '', ''
  elseif request.method == 'POST' and request.path == '/invoke' then
    local event = request.body ~= '' and request.body or 'world'
    log(request_id, LANG .. ' handled ' .. event)
    return 200, 'Hello, ' .. event .. '! from ' .. LANG, 'Content-Type: text/plain; charset=utf-8\r\n'
  end
  -- How FC expects a custom runtime to report a function error.
  local error = '{"errorMessage":' .. json_string('unknown path ' .. request.path) .. '}'
  return 404, error, 'Content-Type: application/json\r\nx-fc-status: 404\r\n'
end

local function send(client, data)
  client:settimeout(10)
  local ok = client:send(data)
  client:settimeout(0)
  return ok ~= nil
end

local port = tonumber(os.getenv('FC_SERVER_PORT') or '9000')
local server = assert(socket.bind('0.0.0.0', port, 128))
server:settimeout(0)
print(string.format('FunctionCompute %s runtime inited on port %d.', LANG, port))
io.stdout:flush()

local clients = {} -- socket -> { buffer = string, continued = bool }

local function drop(client)
  clients[client] = nil
  client:close()
end

-- Serves every complete request in the client's buffer; returns false once the connection is done.
local function serve(client, state)
  while true do
    local request, rest = parse(state.buffer)
    if request == false then return false end
    if request == nil then
      local head = state.buffer:match('^(.-\r\n\r\n)')
      if head and not state.continued and head:lower():find('\nexpect:%s*100%-continue') then
        state.continued = true
        return send(client, 'HTTP/1.1 100 Continue\r\n\r\n')
      end
      return true
    end
    state.buffer, state.continued = rest, false
    local status, body, extra = handle(request)
    local keep_alive = request.version == 'HTTP/1.1' and (request.headers['connection'] or ''):lower() ~= 'close'
    local response = string.format('HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\nConnection: %s\r\n\r\n%s',
      status, status == 200 and 'OK' or 'Not Found', extra, #body, keep_alive and 'keep-alive' or 'close', body)
    if not send(client, response) or not keep_alive then return false end
  end
end

while true do
  local watched = { server }
  for client in pairs(clients) do watched[#watched + 1] = client end
  local readable = socket.select(watched, nil)
  for _, sock in ipairs(readable) do
    if sock == server then
      local client = server:accept()
      if client then
        client:settimeout(0)
        clients[client] = { buffer = '', continued = false }
      end
    elseif clients[sock] then
      local state = clients[sock]
      local data, err, partial = sock:receive(64 * 1024)
      state.buffer = state.buffer .. (data or partial or '')
      local alive = serve(sock, state)
      -- 'closed' covers Kumo's readiness check, which connects and closes at once.
      if not alive or err == 'closed' then drop(sock) end
    end
  end
end
