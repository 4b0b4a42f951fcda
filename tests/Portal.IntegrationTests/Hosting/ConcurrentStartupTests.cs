using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>Replicas of a new deployment start at the same moment on one empty PostgreSQL database.</summary>
public sealed class ConcurrentStartupTests
{
    [Fact]
    public async Task Hosts_starting_together_on_an_empty_PostgreSQL_database_all_come_up_with_one_admin()
    {
        var connectionString = await SharedDatabaseFactory.NewDatabaseAsync(DatabaseProvider.Postgres, "portal_startup");
        var hosts = Enumerable.Range(0, 3).Select(_ => new SharedDatabaseFactory(DatabaseProvider.Postgres, connectionString)).ToList();
        try
        {
            // Each host migrates (Database:MigrateOnStartup) and bootstraps the admin as it starts.
            await Task.WhenAll(hosts.Select(h => Task.Run(h.InitializeAsync)));

            foreach (var host in hosts)
                Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/readyz")).StatusCode);
            await using var scope = hosts[0].Scope();
            var admins = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().GetUsersInRoleAsync(OperatorRoles.PlatformAdmin);
            Assert.Equal(PortalFactory.AdminEmail, Assert.Single(admins).Email);
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }
}
