using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Recurrent.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, answering every GET with what
/// <c>respond</c> returns for the request path, one request per connection. It counts the requests.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, (int Status, byte[] Body)> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _paths = [];

    public LoopbackServer(Func<string, (int Status, byte[] Body)> respond)
    {
        _respond = respond;
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = Task.Run(AcceptLoop);
    }

    /// <summary>Serves the same file for every path.</summary>
    public static LoopbackServer Serving(byte[] body) => new(_ => (200, body));

    public Uri BaseAddress { get; }

    /// <summary>The paths requested so far.</summary>
    public IReadOnlyList<string> Paths { get { lock (_paths) return _paths.ToList(); } }

    /// <summary>An address on loopback where nothing listens, so a connection is refused.</summary>
    public static Uri RefusingAddress()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }  // stopped
            _ = Task.Run(() => Serve(client));
        }
    }

    private void Serve(TcpClient client)
    {
        try
        {
            Answer(client);
        }
        catch (IOException)
        {
            // The client went away (a test that times out on purpose): nothing to answer.
        }
        finally
        {
            client.Dispose();
        }
    }

    private void Answer(TcpClient client)
    {
        client.ReceiveTimeout = client.SendTimeout = 5000;
        NetworkStream stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        string? requestLine = reader.ReadLine();
        if (requestLine is null) return;
        while (!string.IsNullOrEmpty(reader.ReadLine())) { }  // headers; a GET has no body
        string path = requestLine.Split(' ')[1];
        lock (_paths) _paths.Add(path);

        (int status, byte[] body) = _respond(path);
        string reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Internal Server Error";
        string head = $"HTTP/1.1 {status} {reason}\r\nContent-Length: {body.Length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
        stream.Write(Encoding.ASCII.GetBytes(head));
        stream.Write(body);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
