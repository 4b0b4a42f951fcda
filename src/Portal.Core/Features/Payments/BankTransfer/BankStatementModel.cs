using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Payments.BankTransfer;

internal sealed class BankStatementImportConfiguration : IEntityTypeConfiguration<BankStatementImport>
{
    public void Configure(EntityTypeBuilder<BankStatementImport> b)
    {
        b.ToTable("bank_statement_imports");
        b.Property(i => i.FileName).HasMaxLength(256).IsRequired();
        b.Property(i => i.ImportedBy).HasMaxLength(256).IsRequired();
        b.HasIndex(i => i.ImportedAt);
    }
}

internal sealed class BankStatementLineConfiguration : IEntityTypeConfiguration<BankStatementLine>
{
    public void Configure(EntityTypeBuilder<BankStatementLine> b)
    {
        b.ToTable("bank_statement_lines", t => t.HasCheckConstraint("ck_bank_statement_lines_amount_positive", "amount_micro_yuan > 0"));
        b.Property(l => l.TransactionId).HasMaxLength(64).IsRequired();
        // NOTE: the same 交易流水号 is stored once, however often (or concurrently) the statement is imported.
        b.HasIndex(l => l.TransactionId).IsUnique();
        b.Property(l => l.CounterpartyName).HasMaxLength(200).IsRequired();
        b.Property(l => l.CounterpartyAccount).HasMaxLength(64).IsRequired();
        b.Property(l => l.Memo).HasMaxLength(500).IsRequired();
        b.Property(l => l.Detail).HasMaxLength(1000);
        b.Property(l => l.ResolvedBy).HasMaxLength(256);
        b.HasIndex(l => new { l.Status, l.TransactedAt });
        b.HasIndex(l => l.ImportId);
        b.HasOne<BankStatementImport>().WithMany().HasForeignKey(l => l.ImportId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<BankTransferOrder>().WithMany().HasForeignKey(l => l.TransferId).OnDelete(DeleteBehavior.Restrict);
    }
}
