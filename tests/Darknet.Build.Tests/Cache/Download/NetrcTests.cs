using Darknet.Cache.Download;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Cache.Download;

/// <summary>Issue 9 Must 7: .netrc read as curl reads it (machine, default, login, password, account, macdef, quotes, comments).</summary>
public sealed class NetrcTests
{
    private static (string Login, string Password)? Lookup(string text, string host)
    {
        var entry = Netrc.Parse(text).For(host);
        return entry == null ? null : (entry.Login, entry.Password);
    }

    [Fact]
    public void Machine_entries_on_one_line_or_many_match_their_host_in_any_case_first_one_wins()
    {
        const string text = """
            machine a.example.org login alice password pa55
            machine b.example.org
                login bob
                password "b0b s3cret"
            machine A.EXAMPLE.ORG login second password ignored
            """;

        Assert.Equal(("alice", "pa55"), Lookup(text, "a.example.org"));
        Assert.Equal(("alice", "pa55"), Lookup(text, "A.Example.Org"));
        Assert.Equal(("bob", "b0b s3cret"), Lookup(text, "b.example.org"));
        Assert.Null(Lookup(text, "c.example.org"));
        Assert.Null(Lookup(text, "example.org"));
    }

    [Fact]
    public void Default_serves_every_other_host_and_never_hides_a_machine_entry()
    {
        const string text = "default login anon password guest\nmachine a.example.org login alice password pa55\n";

        Assert.Equal(("alice", "pa55"), Lookup(text, "a.example.org"));
        Assert.Equal(("anon", "guest"), Lookup(text, "anything.example.com"));
        Assert.Equal(("anon", "guest"), Lookup(text, "127.0.0.1"));
    }

    [Fact]
    public void A_macdef_body_is_skipped_up_to_its_empty_line_and_entries_after_it_are_read()
    {
        const string text = "machine a.example.org login alice password pa55\n" +
                            "macdef init\n" +
                            "machine evil.example.org login mallory password stolen\n" +
                            "cd /pub\n" +
                            "\n" +
                            "machine b.example.org login bob password b0b\n";

        Assert.Null(Lookup(text, "evil.example.org"));
        Assert.Equal(("alice", "pa55"), Lookup(text, "a.example.org"));
        Assert.Equal(("bob", "b0b"), Lookup(text, "b.example.org"));
        Assert.Equal(2, Netrc.Parse(text).Entries.Count);
    }

    [Fact]
    public void A_macdef_with_windows_line_ends_also_ends_at_its_empty_line()
    {
        const string text = "macdef init\r\nmachine evil login m password x\r\n\r\nmachine b login bob password b0b\r\n";

        Assert.Null(Lookup(text, "evil"));
        Assert.Equal(("bob", "b0b"), Lookup(text, "b"));
    }

    [Fact]
    public void Account_and_comments_are_skipped_and_quoted_values_take_escapes()
    {
        const string text = """
            # a comment: machine evil.example.org login m password x
            machine a.example.org account acct1 login alice password "with \"quote\" and \\ backslash" # trailing comment
            MACHINE b.example.org LOGIN bob PASSWORD tab\there
            """;

        Assert.Null(Lookup(text, "evil.example.org"));
        Assert.Equal(("alice", "with \"quote\" and \\ backslash"), Lookup(text, "a.example.org"));
        Assert.Equal(("bob", "tab\\there"), Lookup(text, "b.example.org"));
    }

    [Fact]
    public void An_entry_without_login_and_password_is_no_entry_and_a_login_alone_has_an_empty_password()
    {
        const string text = "machine a.example.org\nmachine b.example.org login bob\n";

        Assert.Null(Lookup(text, "a.example.org"));
        Assert.Equal(("bob", ""), Lookup(text, "b.example.org"));
    }

    [Fact]
    public void Empty_or_truncated_text_parses_without_error()
    {
        Assert.Empty(Netrc.Parse("").Entries);
        Assert.Empty(Netrc.Parse("machine").Entries);
        Assert.Equal(("alice", ""), Lookup("machine a login alice password", "a"));
        Assert.Equal(("alice", "unterminated"), Lookup("machine a login alice password \"unterminated", "a"));
    }

    [Fact]
    public void An_absent_file_has_no_entries_and_a_present_one_is_read()
    {
        using var temp = new TempDirectory();
        Assert.Empty(Netrc.Load(temp.Combine("missing")).Entries);
        Assert.Empty(Netrc.Load(null).Entries);
        File.WriteAllText(temp.Combine("n"), "machine h login u password p\n");
        Assert.Equal("p", Netrc.Load(temp.Combine("n")).For("h")!.Password);
    }

    [Fact]
    public void NETRC_names_the_file_else_HOME_netrc_else_HOME_underscore_netrc()
    {
        using var temp = new TempDirectory();
        var home = temp.Combine("home");
        Directory.CreateDirectory(home);
        var variables = new Dictionary<string, string?> { ["HOME"] = home };
        string? Env(string name) => variables.TryGetValue(name, out var value) ? value : null;

        Assert.Equal(Path.Combine(home, ".netrc"), Netrc.DefaultPath(Env));
        File.WriteAllText(Path.Combine(home, "_netrc"), "");
        Assert.Equal(Path.Combine(home, "_netrc"), Netrc.DefaultPath(Env));
        File.WriteAllText(Path.Combine(home, ".netrc"), "");
        Assert.Equal(Path.Combine(home, ".netrc"), Netrc.DefaultPath(Env));
        variables["NETRC"] = temp.Combine("elsewhere");
        Assert.Equal(temp.Combine("elsewhere"), Netrc.DefaultPath(Env));
    }

    [Fact]
    public void An_entry_shows_its_machine_never_its_secrets()
    {
        var entry = Netrc.Parse("machine h login u password s3cr3t").For("h")!;
        Assert.Equal("machine h", entry.ToString());
        Assert.Equal("default", Netrc.Parse("default login u password s3cr3t").For("x")!.ToString());
    }
}
