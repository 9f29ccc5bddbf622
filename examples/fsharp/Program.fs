// A Function Compute custom runtime in F#: System.Net.HttpListener serving $FC_SERVER_PORT.
// POST /initialize runs once per instance (the function has an Initializer); POST /invoke gets the event.
open System
open System.IO
open System.Net
open System.Text
open System.Text.Json
open System.Threading

let lang = "fsharp"
let utf8 = UTF8Encoding(false)
let logLock = obj ()

/// Prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request.
let log (request: HttpListenerRequest) (message: string) =
    let time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")
    let requestId = request.Headers.["X-Fc-Request-Id"]
    lock logLock (fun () ->
        Console.Out.WriteLine(time + " " + requestId + " [INFO] " + message)
        Console.Out.Flush())

let reply (response: HttpListenerResponse) (status: int) (body: string) (contentType: string option) =
    let bytes = utf8.GetBytes(body)
    response.StatusCode <- status
    contentType |> Option.iter (fun value -> response.ContentType <- value)
    response.ContentLength64 <- int64 bytes.Length
    response.OutputStream.Write(bytes, 0, bytes.Length)
    response.Close()

let handle (context: HttpListenerContext) =
    let request = context.Request
    let response = context.Response
    try
        let body =
            use reader = new StreamReader(request.InputStream, utf8)
            reader.ReadToEnd()
        let path = request.Url.AbsolutePath
        match request.HttpMethod, path with
        | "POST", "/initialize" ->
            log request (lang + " initialized")
            reply response 200 "" None
        | "POST", "/invoke" ->
            let evt = if body.Length = 0 then "world" else body
            log request (lang + " handled " + evt)
            reply response 200 ("Hello, " + evt + "! from " + lang) (Some "text/plain; charset=utf-8")
        | _ ->
            // How FC expects a custom runtime to report a function error.
            response.Headers.["x-fc-status"] <- "404"
            let json = JsonSerializer.Serialize(dict [ "errorMessage", "unknown path " + path ])
            reply response 404 json (Some "application/json")
    with error ->
        eprintfn "%O" error
        response.Abort()

[<EntryPoint>]
let main _ =
    let port =
        match Environment.GetEnvironmentVariable "FC_SERVER_PORT" with
        | null | "" -> "9000"
        | value -> value
    let listener = new HttpListener()
    listener.Prefixes.Add("http://*:" + port + "/")
    listener.Start()
    printfn "FunctionCompute %s runtime inited on port %s." lang port
    Console.Out.Flush()
    while true do
        let context = listener.GetContext()
        ThreadPool.QueueUserWorkItem(fun _ -> handle context) |> ignore
    0
