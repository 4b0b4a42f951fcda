using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.IntegrationTests.Features.Invoices;
using Portal.IntegrationTests.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>Two hosts (replicas) on one database with <c>Storage:Provider=Database</c>.</summary>
public abstract class TwoHosts : IAsyncLifetime
{
    public abstract DatabaseProvider Provider { get; }

    public SharedDatabaseFactory A { get; private set; } = null!;

    public SharedDatabaseFactory B { get; private set; } = null!;

    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await SharedDatabaseFactory.NewDatabaseAsync(Provider, "portal_storage");
        A = Host("replica-a");
        await A.InitializeAsync();
        B = Host("replica-b");
        await B.InitializeAsync();
    }

    private SharedDatabaseFactory Host(string replica) => new(Provider, _connectionString, new Dictionary<string, string>
    {
        ["Storage:Provider"] = "Database",
        ["Relay:ReplicaId"] = replica,
    });

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        if (Provider == DatabaseProvider.Postgres) await (await PostgresServer.GetAsync()).DropDatabaseAsync(_connectionString);
    }
}

public sealed class PostgresTwoHosts : TwoHosts
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}

public sealed class SqliteTwoHosts : TwoHosts
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public abstract class SharedStorageTests<THosts>(THosts hosts) : IClassFixture<THosts> where THosts : TwoHosts
{
    [Fact]
    public async Task Kyc_scan_uploaded_on_A_is_served_and_reviewed_on_B()
    {
        var (owner, _, _, licenceId) = await KycArrange.SubmittedEnterpriseAsync(hosts.A);
        var onA = await owner.Http.GetByteArrayAsync($"/api/kyc/documents/{licenceId}");

        var ownerOnB = PortalClient.As(hosts.B, owner.Email, owner.Password);
        Assert.Equal("/", (await ownerOnB.LoginAsync()).LocationPath());
        var response = await ownerOnB.Http.GetAsync($"/api/kyc/documents/{licenceId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(onA, await response.Content.ReadAsByteArrayAsync());

        await using (var op = await KycArrange.AsOperatorAsync(hosts.B))
        {
            var read = await op.ServiceProvider.GetRequiredService<KycQueries>().OpenDocumentAsync(licenceId, asOperator: true);
            Assert.True(read.IsSuccess, read.Error?.Message);
            await using var content = read.Value!.Content;
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            Assert.Equal(onA, copy.ToArray());
        }

        await using (var db = await hosts.A.DbAsync())
            Assert.False(File.Exists(Path.Combine(hosts.A.StoragePath, (await db.KycDocuments.IgnoreTenantFilter().SingleAsync(d => d.Id == licenceId)).StorageKey)));
    }

    [Fact]
    public async Task Invoice_pdf_issued_on_A_downloads_from_B()
    {
        var (owner, _) = await InvoiceArrange.PaidTenantAsync(hosts.A, "多副本开票科技有限公司", "1000");
        var requested = await InvoiceArrange.RequestOkAsync(owner, "100");
        var issued = await InvoiceArrange.IssueAsync(hosts.A, requested.Id);
        Assert.True(issued.IsSuccess, issued.Error?.Message);
        var onA = await owner.Http.GetByteArrayAsync($"/api/invoices/{requested.Id}/pdf");
        Assert.Equal("%PDF"u8.ToArray(), onA[..4]);

        var ownerOnB = PortalClient.As(hosts.B, owner.Email, owner.Password);
        Assert.Equal("/", (await ownerOnB.LoginAsync()).LocationPath());
        var response = await ownerOnB.Http.GetAsync($"/api/invoices/{requested.Id}/pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(onA, await response.Content.ReadAsByteArrayAsync());
        Assert.False(File.Exists(Path.Combine(hosts.A.StoragePath, issued.Value!.PdfFileKey!)));

        // The stamped copy of a void is stored the same way, inside the void's transaction.
        var voided = await InvoiceArrange.VoidAsync(hosts.A, requested.Id, "开错抬头");
        Assert.True(voided.IsSuccess, voided.Error?.Message);
        await using var stamped = await Store(hosts.B).OpenReadAsync(voided.Value!.VoidPdfFileKey!);
        Assert.NotNull(stamped);
    }

    [Fact]
    public async Task Twenty_megabytes_go_in_and_out_in_chunks_of_at_most_256_KiB()
    {
        const int megabyte = 1024 * 1024;
        var before = await ChunkCountAsync();
        using var written = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string key;
        await using (var upload = await Store(hosts.A).BeginAsync())
        {
            for (var i = 0; i < 20; i++)
            {
                var block = Block(i, megabyte);
                written.AppendData(block);
                await upload.Content.WriteAsync(block);
                // Written chunk by chunk as the content comes, not held until the commit.
                if (i == 9) Assert.Equal(10 * megabyte / DatabaseFileStore.ChunkSize, await ChunkCountAsync() - before);
            }

            key = await upload.CommitAsync(".bin");
        }

        await using (var db = await hosts.A.DbAsync())
        {
            var file = await db.Set<StoredFile>().SingleAsync(f => f.Key == key);
            Assert.Equal(20L * megabyte, file.Length);
            var sizes = await db.Set<StoredFileChunk>().Where(c => c.FileId == file.Id).Select(c => c.Data.Length).ToListAsync();
            Assert.Equal(20 * megabyte / DatabaseFileStore.ChunkSize, sizes.Count);
            Assert.All(sizes, size => Assert.Equal(DatabaseFileStore.ChunkSize, size));
        }

        using var read = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await using (var content = (await Store(hosts.B).OpenReadAsync(key))!)
        {
            var buffer = new byte[100_000];
            int n;
            while ((n = await content.ReadAsync(buffer)) > 0)
            {
                read.AppendData(buffer, 0, n);
                length += n;
            }
        }

        Assert.Equal(20L * megabyte, length);
        Assert.Equal(written.GetHashAndReset(), read.GetHashAndReset());
    }

    [Theory]
    [InlineData("altered")]
    [InlineData("truncated")]
    public async Task A_file_whose_content_changed_in_the_database_fails_when_read_to_its_end(string damage)
    {
        var content = Block(7, DatabaseFileStore.ChunkSize * 2 + 1000);
        var key = await PutAsync(Store(hosts.A), content);
        await using (var db = await hosts.A.DbAsync())
        {
            var fileId = await db.Set<StoredFile>().Where(f => f.Key == key).Select(f => f.Id).SingleAsync();
            var last = db.Set<StoredFileChunk>().Where(c => c.FileId == fileId && c.Index == 2);
            if (damage == "altered") await last.ExecuteUpdateAsync(s => s.SetProperty(c => c.Data, Block(8, 1000)));
            else await last.ExecuteDeleteAsync();
        }

        await using var stream = (await Store(hosts.B).OpenReadAsync(key))!;
        // The first chunk arrives (reading is streamed); the damage is found at the end, against the recorded hash and length.
        var first = new byte[DatabaseFileStore.ChunkSize];
        await stream.ReadExactlyAsync(first);
        Assert.Equal(content[..DatabaseFileStore.ChunkSize], first);
        var error = await Assert.ThrowsAsync<StoredFileCorruptException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Equal(key, error.Key);

        // storage migrate reports it and copies nothing of it.
        var report = await hosts.B.Services.GetRequiredService<FileStoreMigration>().RunAsync(StorageProvider.Database, StorageProvider.Local);
        Assert.Equal([key], report.Corrupt);
        Assert.False(report.Succeeded);
        var local = hosts.B.Services.GetRequiredService<FileStores>().Get(StorageProvider.Local);
        Assert.Null(await local.OpenReadAsync(key));
        await Store(hosts.A).DeleteAsync(key);
    }

    [Fact]
    public async Task Migrating_Local_to_Database_and_back_keeps_every_byte_and_a_second_run_copies_nothing()
    {
        var migration = hosts.A.Services.GetRequiredService<FileStoreMigration>();
        var local = hosts.A.Services.GetRequiredService<FileStores>().Get(StorageProvider.Local);
        var originals = new Dictionary<string, byte[]>();
        foreach (var size in new[] { 0, 1, DatabaseFileStore.ChunkSize, DatabaseFileStore.ChunkSize + 1, 3 * 1024 * 1024 + 17 })
        {
            var content = Block(size, size);
            originals[await PutAsync(local, content)] = content;
        }

        var there = await migration.RunAsync(StorageProvider.Local, StorageProvider.Database);
        Assert.True(there.Succeeded);
        Assert.Equal(originals.Count, there.Copied);
        foreach (var (key, content) in originals) Assert.Equal(content, await ReadAsync(Store(hosts.B), key));
        var again = await migration.RunAsync(StorageProvider.Local, StorageProvider.Database);
        Assert.Equal((0, originals.Count, 0, 0), (again.Copied, again.AlreadyPresent, again.Mismatched.Count, again.Corrupt.Count));

        // Back, into B's empty local directory: every file of the database, ours byte for byte.
        var back = hosts.B.Services.GetRequiredService<FileStoreMigration>();
        var backLocal = hosts.B.Services.GetRequiredService<FileStores>().Get(StorageProvider.Local);
        var returned = await back.RunAsync(StorageProvider.Database, StorageProvider.Local);
        Assert.True(returned.Succeeded);
        Assert.True(returned.Copied >= originals.Count);
        foreach (var (key, content) in originals) Assert.Equal(content, await ReadAsync(backLocal, key));
        var returnedAgain = await back.RunAsync(StorageProvider.Database, StorageProvider.Local);
        Assert.Equal(0, returnedAgain.Copied);
        Assert.Equal(returned.Copied + returned.AlreadyPresent, returnedAgain.AlreadyPresent);
    }

    [Fact]
    public async Task Migrating_onto_a_file_with_other_content_reports_it_and_leaves_both_alone()
    {
        var inDatabase = Block(1, 5000);
        var key = await PutAsync(Store(hosts.A), inDatabase);
        var local = hosts.A.Services.GetRequiredService<FileStores>().Get(StorageProvider.Local);
        var other = Block(2, 5000);
        await local.ImportAsync(key, new MemoryStream(other));

        var report = await hosts.A.Services.GetRequiredService<FileStoreMigration>().RunAsync(StorageProvider.Local, StorageProvider.Database);

        Assert.False(report.Succeeded);
        Assert.Contains(key, report.Mismatched);
        Assert.Equal(inDatabase, await ReadAsync(Store(hosts.B), key));
        Assert.Equal(other, await ReadAsync(local, key));
        await local.DeleteAsync(key);
    }

    private static IFileStore Store(PortalFactory host) => host.Services.GetRequiredService<IFileStore>();

    private async Task<int> ChunkCountAsync()
    {
        await using var db = await hosts.A.DbAsync();
        return await db.Set<StoredFileChunk>().CountAsync();
    }

    private static byte[] Block(int seed, int size)
    {
        var block = new byte[size];
        new Random(seed).NextBytes(block);
        return block;
    }

    private static async Task<string> PutAsync(IFileStore store, byte[] content)
    {
        await using var upload = await store.BeginAsync();
        await upload.Content.WriteAsync(content);
        return await upload.CommitAsync(".bin");
    }

    private static async Task<byte[]> ReadAsync(IFileStore store, string key)
    {
        await using var content = await store.OpenReadAsync(key);
        Assert.NotNull(content);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        return copy.ToArray();
    }
}

public sealed class PostgresSharedStorageTests(PostgresTwoHosts hosts) : SharedStorageTests<PostgresTwoHosts>(hosts);

public sealed class SqliteSharedStorageTests(SqliteTwoHosts hosts) : SharedStorageTests<SqliteTwoHosts>(hosts);
