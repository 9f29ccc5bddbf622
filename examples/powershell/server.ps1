# A Function Compute custom runtime in PowerShell 7: System.Net.HttpListener serving $FC_SERVER_PORT.
# POST /initialize runs once per instance (the function has an Initializer); POST /invoke gets the event.
$ErrorActionPreference = 'Stop'
$Lang = 'powershell'
$Port = if ($env:FC_SERVER_PORT) { $env:FC_SERVER_PORT } else { '9000' }
$Utf8 = [System.Text.UTF8Encoding]::new($false)

# Prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request.
function Write-RequestLog([System.Net.HttpListenerRequest] $Request, [string] $Message) {
    $time = [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")
    $requestId = $Request.Headers['X-Fc-Request-Id']
    [Console]::Out.WriteLine("$time $requestId [INFO] $Message")
    [Console]::Out.Flush()
}

function Send-Reply([System.Net.HttpListenerResponse] $Response, [int] $Status, [string] $Body, [string] $ContentType) {
    $bytes = $Utf8.GetBytes($Body)
    $Response.StatusCode = $Status
    if ($ContentType) { $Response.ContentType = $ContentType }
    $Response.ContentLength64 = $bytes.Length
    $Response.OutputStream.Write($bytes, 0, $bytes.Length)
    $Response.Close()
}

$listener = [System.Net.HttpListener]::new()
$listener.Prefixes.Add("http://*:$Port/")
$listener.Start()
[Console]::Out.WriteLine("FunctionCompute $Lang runtime inited on port $Port.")
[Console]::Out.Flush()

# One request at a time; HttpListener itself accepts and parses connections in the background, so an idle
# connection (Kumo's readiness check) never blocks the next request.
while ($listener.IsListening) {
    $context = $listener.GetContext()
    $request = $context.Request
    $response = $context.Response
    try {
        $reader = [System.IO.StreamReader]::new($request.InputStream, $Utf8)
        $body = $reader.ReadToEnd()
        $reader.Dispose()
        $path = $request.Url.AbsolutePath
        if ($request.HttpMethod -eq 'POST' -and $path -eq '/initialize') {
            Write-RequestLog $request "$Lang initialized"
            Send-Reply $response 200 '' ''
        }
        elseif ($request.HttpMethod -eq 'POST' -and $path -eq '/invoke') {
            # ($Event is one of PowerShell's automatic variables, hence $evt.)
            $evt = if ($body.Length -gt 0) { $body } else { 'world' }
            Write-RequestLog $request "$Lang handled $evt"
            Send-Reply $response 200 "Hello, $evt! from $Lang" 'text/plain; charset=utf-8'
        }
        else {
            # How FC expects a custom runtime to report a function error.
            $response.Headers['x-fc-status'] = '404'
            $json = @{ errorMessage = "unknown path $path" } | ConvertTo-Json -Compress
            Send-Reply $response 404 $json 'application/json'
        }
    }
    catch {
        [Console]::Error.WriteLine($_.ToString())
        $response.Abort()
    }
}
