using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddBankTransfers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bank_statement_imports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    file_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    imported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    imported_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    incoming_lines = table.Column<int>(type: "integer", nullable: false),
                    new_lines = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bank_statement_imports", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "bank_transfer_orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    remittance_code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_amount_micro_yuan = table.Column<long>(type: "bigint", nullable: true),
                    bank_reference = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    decided_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    rejection_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bank_transfer_orders", x => x.id);
                    table.CheckConstraint("ck_bank_transfer_orders_amount_positive", "amount_micro_yuan > 0");
                    table.CheckConstraint("ck_bank_transfer_orders_received_positive", "received_amount_micro_yuan IS NULL OR received_amount_micro_yuan > 0");
                    table.ForeignKey(
                        name: "fk_bank_transfer_orders_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "bank_statement_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    import_id = table.Column<Guid>(type: "uuid", nullable: false),
                    line_number = table.Column<int>(type: "integer", nullable: false),
                    transaction_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    transacted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    counterparty_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    counterparty_account = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    memo = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    transfer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    resolved_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bank_statement_lines", x => x.id);
                    table.CheckConstraint("ck_bank_statement_lines_amount_positive", "amount_micro_yuan > 0");
                    table.ForeignKey(
                        name: "fk_bank_statement_lines_bank_statement_imports_import_id",
                        column: x => x.import_id,
                        principalTable: "bank_statement_imports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_bank_statement_lines_bank_transfer_orders_transfer_id",
                        column: x => x.transfer_id,
                        principalTable: "bank_transfer_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_bank_statement_imports_imported_at",
                table: "bank_statement_imports",
                column: "imported_at");

            migrationBuilder.CreateIndex(
                name: "ix_bank_statement_lines_import_id",
                table: "bank_statement_lines",
                column: "import_id");

            migrationBuilder.CreateIndex(
                name: "ix_bank_statement_lines_status_transacted_at",
                table: "bank_statement_lines",
                columns: new[] { "status", "transacted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_bank_statement_lines_transaction_id",
                table: "bank_statement_lines",
                column: "transaction_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bank_statement_lines_transfer_id",
                table: "bank_statement_lines",
                column: "transfer_id");

            migrationBuilder.CreateIndex(
                name: "ix_bank_transfer_orders_bank_reference",
                table: "bank_transfer_orders",
                column: "bank_reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bank_transfer_orders_remittance_code",
                table: "bank_transfer_orders",
                column: "remittance_code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bank_transfer_orders_status_created_at",
                table: "bank_transfer_orders",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_bank_transfer_orders_tenant_id_created_at",
                table: "bank_transfer_orders",
                columns: new[] { "tenant_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "bank_statement_lines");

            migrationBuilder.DropTable(
                name: "bank_statement_imports");

            migrationBuilder.DropTable(
                name: "bank_transfer_orders");
        }
    }
}
