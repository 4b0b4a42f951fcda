namespace Portal.Core.Data;

/// <summary>Rows that are inserted once and never updated or deleted (audit log, ledger). Enforced on save.</summary>
public interface IAppendOnly;
