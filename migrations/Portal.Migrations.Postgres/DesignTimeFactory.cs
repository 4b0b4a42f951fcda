using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Migrations.Postgres;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model for Postgres without starting the web host.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.Configure(builder, DatabaseProvider.Postgres, "Host=localhost;Database=portal_design;Username=postgres");
        builder.UseApplicationServiceProvider(AccountsFeature.ModelServices());
        return new PortalDbContext(builder.Options);
    }
}
