using System.Net.Http.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Recurrent.Serve;

namespace Recurrent.Tests.Serving;

/// <summary>
/// The pages in a real browser: Debian's chromium in headless mode, driven through chromium-driver. Screenshots
/// are kept in <c>artifacts/</c> beside the test assembly.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BrowserTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Chromium = "/usr/bin/chromium", ChromeDriver = "/usr/bin/chromedriver";

    private readonly ChromeDriver _browser = Start();

    /// <summary>Where the screenshots go: <c>artifacts/</c> beside the tests.</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    private static ChromeDriver Start()
    {
        Assert.True(File.Exists(Chromium) && File.Exists(ChromeDriver), "chromium and chromium-driver are not installed: apt-get install -y chromium chromium-driver");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,860", "--lang=en-US");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        _browser.Quit();
        _browser.Dispose();
    }

    private WebDriverWait Wait(double seconds = 20) => new(_browser, TimeSpan.FromSeconds(seconds)) { PollingInterval = TimeSpan.FromMilliseconds(5) };

    [Fact]
    public async Task The_page_streams_the_text_of_the_prefix_typed_in_it()
    {
        var (server, client) = await fixture.Start(new ServeOptions { Port = 0, MaxLength = 100_000 }, fixture.Big, fixture.Lstm);
        await using (server)
        using (client)
        {
            _browser.Navigate().GoToUrl(server.Address);
            Wait().Until(b => b.FindElements(By.CssSelector("#facts dd")).Count > 0);
            Assert.Equal(["big", "lstm"], _browser.FindElements(By.CssSelector("#model option")).Select(o => o.Text));
            Assert.Contains("384", _browser.FindElement(By.Id("facts")).Text);   // the hidden units of 'big'

            var prefix = _browser.FindElement(By.Id("prefix"));
            prefix.SendKeys("the time traveller");
            var length = _browser.FindElement(By.Id("length"));
            length.Clear();
            length.SendKeys("4000");   // long enough to be seen streaming on a loaded machine
            _browser.FindElement(By.Id("generate")).Click();

            // Seen while the stream runs: some text after the prefix, with the status still counting.
            var output = _browser.FindElement(By.Id("output"));
            var status = _browser.FindElement(By.Id("status"));
            string partial = Wait().Until(_ =>
            {
                string text = output.Text;
                return text.Length > "the time traveller".Length && status.Text.StartsWith("generating", StringComparison.Ordinal) ? text : null;
            })!;
            Wait(60).Until(_ => status.Text.Contains("tokens in", StringComparison.Ordinal));
            string final = output.Text;
            Assert.Equal("4000 tokens in", status.Text[..14]);
            Assert.True(partial.Length < final.Length, "the text was not seen before its end");
            Assert.StartsWith(partial, final);

            // The text of the API for the page's request (sliders at their defaults: temperature 1, top-k 0, top-p 1, seed 1).
            var (code, body) = await ServerFixture.Generate(client, new { model = "big", prefix = "the time traveller", length = 4000, seed = 1, temperature = 1, top_k = 0, top_p = 1 });
            Assert.Equal(200, code);
            Assert.Equal("the time traveller" + (string)body["text"]!, final);   // (both texts have no line breaks)
            _browser.GetScreenshot().SaveAsFile(Path.Combine(Artifacts, "generate-page.png"));
        }
    }

    [Fact]
    public async Task The_training_page_charts_the_log_and_follows_it()
    {
        string log = Path.Combine(fixture.Folder, "live.jsonl");
        File.WriteAllText(log, string.Concat(Enumerable.Range(1, 6).Select(e => Line(e))));
        var (server, client) = await fixture.Start(new ServeOptions { Port = 0, LogPath = log }, fixture.Gru);
        await using (server)
        using (client)
        {
            _browser.Navigate().GoToUrl(new Uri(server.Address, "/train"));
            Wait().Until(b => b.FindElements(By.CssSelector("#epochs tbody tr")).Count == 6);
            Assert.Contains("6 epoch(s)", _browser.FindElement(By.Id("log-status")).Text);
            // The chart has been drawn: pixels in the series' colour.
            long drawn = (long)_browser.ExecuteScript(
                "const c = document.getElementById('chart'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;" +
                "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] === 0x35 && d[i + 1] === 0x53 && d[i + 2] === 0xd6) n++; return n;")!;
            Assert.True(drawn > 100, $"{drawn} pixels of the training curve");
            File.AppendAllText(log, Line(7));   // a run training elsewhere ends its next epoch
            Wait().Until(b => b.FindElements(By.CssSelector("#epochs tbody tr")).Count == 7);
            Assert.StartsWith("7", _browser.FindElement(By.CssSelector("#epochs tbody tr")).Text);
            _browser.GetScreenshot().SaveAsFile(Path.Combine(Artifacts, "train-page.png"));
        }
    }

    private static string Line(int epoch) => FormattableString.Invariant(
        $"{{\"epoch\":{epoch},\"perplexity\":{30.0 / epoch + 2},\"validation_perplexity\":{33.0 / epoch + 2.5},\"seconds\":1.2,\"learning_rate\":1}}\n");
}
