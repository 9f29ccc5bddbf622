// A Function Compute custom runtime in C#: System.Net.HttpListener serving $FC_SERVER_PORT.
// POST /initialize runs once per instance (the function has an Initializer); POST /invoke gets the event.
using System;
using System.IO;
using System.Net;
using System.Text;
using System.Threading.Tasks;

public static class Server
{
    const string Lang = "csharp";
    static readonly object LogLock = new object();

    // Prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request.
    static void Log(HttpListenerRequest request, string message)
    {
        var time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        lock (LogLock)
        {
            Console.Out.WriteLine(time + " " + request.Headers["X-Fc-Request-Id"] + " [INFO] " + message);
            Console.Out.Flush();
        }
    }

    static string JsonString(string text)
    {
        var json = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c == '"' || c == '\\') json.Append('\\').Append(c);
            else if (c < ' ') json.AppendFormat("\\u{0:x4}", (int)c);
            else json.Append(c);
        }
        return json.Append('"').ToString();
    }

    static void Reply(HttpListenerResponse response, int status, string body, string contentType)
    {
        var bytes = new UTF8Encoding(false).GetBytes(body);
        response.StatusCode = status;
        if (contentType != null) response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes, 0, bytes.Length);
        response.Close();
    }

    static void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            string body;
            using (var reader = new StreamReader(request.InputStream, new UTF8Encoding(false)))
                body = reader.ReadToEnd();
            var path = request.Url.AbsolutePath;
            if (request.HttpMethod == "POST" && path == "/initialize")
            {
                Log(request, Lang + " initialized");
                Reply(response, 200, "", null);
            }
            else if (request.HttpMethod == "POST" && path == "/invoke")
            {
                var evt = body.Length == 0 ? "world" : body;
                Log(request, Lang + " handled " + evt);
                Reply(response, 200, "Hello, " + evt + "! from " + Lang, "text/plain; charset=utf-8");
            }
            else
            {
                // How FC expects a custom runtime to report a function error.
                response.Headers["x-fc-status"] = "404";
                Reply(response, 404, "{\"errorMessage\":" + JsonString("unknown path " + path) + "}",
                    "application/json");
            }
        }
        catch (Exception error)
        {
            Console.Error.WriteLine(error);
            response.Abort();
        }
    }

    public static void Main()
    {
        var port = Environment.GetEnvironmentVariable("FC_SERVER_PORT") ?? "9000";
        var listener = new HttpListener();
        listener.Prefixes.Add("http://*:" + port + "/");
        listener.Start();
        Console.Out.WriteLine("FunctionCompute " + Lang + " runtime inited on port " + port + ".");
        Console.Out.Flush();
        while (true)
        {
            var context = listener.GetContext();
            Task.Run(() => Handle(context));
        }
    }
}
