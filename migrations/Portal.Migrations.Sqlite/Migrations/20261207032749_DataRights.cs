using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DataRights : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "account_closures",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    closed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    closed_by_user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    refund_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    refund_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_summary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    accounting_retained_until = table.Column<long>(type: "INTEGER", nullable: false),
                    invoices_retained_until = table.Column<long>(type: "INTEGER", nullable: false),
                    statements_retained_until = table.Column<long>(type: "INTEGER", nullable: false),
                    verification_code = table.Column<string>(type: "TEXT", maxLength: 22, nullable: false),
                    certificate_file_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    certificate_sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_account_closures", x => x.id);
                    table.CheckConstraint("ck_account_closures_refund_non_negative", "refund_micro_yuan >= 0");
                    table.ForeignKey(
                        name: "fk_account_closures_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "tenant_data_exports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    requested_by_user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    file_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    size_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    part_count = table.Column<int>(type: "INTEGER", nullable: true),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    failure = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenant_data_exports", x => x.id);
                    table.ForeignKey(
                        name: "fk_tenant_data_exports_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_account_closures_tenant_id",
                table: "account_closures",
                column: "tenant_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_account_closures_verification_code",
                table: "account_closures",
                column: "verification_code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenant_data_exports_status_expires_at",
                table: "tenant_data_exports",
                columns: new[] { "status", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tenant_data_exports_tenant_id_requested_at",
                table: "tenant_data_exports",
                columns: new[] { "tenant_id", "requested_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "account_closures");

            migrationBuilder.DropTable(
                name: "tenant_data_exports");
        }
    }
}
