using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddInvoices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "attachment_file_key",
                table: "outbox_messages",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "attachment_name",
                table: "outbox_messages",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "invoice_number_counters",
                columns: table => new
                {
                    year = table.Column<int>(type: "integer", nullable: false),
                    last_number = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoice_number_counters", x => x.year);
                    table.CheckConstraint("ck_invoice_number_counters_non_negative", "last_number >= 0");
                });

            migrationBuilder.CreateTable(
                name: "invoice_profiles",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    taxpayer_id = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    address = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    phone = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    bank_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    bank_account = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoice_profiles", x => x.id);
                    table.ForeignKey(
                        name: "fk_invoice_profiles_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "invoices",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    number = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    amount_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    net_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    tax_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    tax_rate_basis_points = table.Column<int>(type: "integer", nullable: false),
                    item_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    buyer_title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    buyer_taxpayer_id = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    buyer_address = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    buyer_phone = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    buyer_bank_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    buyer_bank_account = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    recipient_email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    remarks = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    requested_by_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    seller_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    seller_taxpayer_id = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    seller_address_phone = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: true),
                    seller_bank_account = table.Column<string>(type: "character varying(150)", maxLength: 150, nullable: true),
                    issued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    issued_on = table.Column<DateOnly>(type: "date", nullable: true),
                    issued_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    issuer = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    pdf_file_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    void_pdf_file_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    verification_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    rejection_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    void_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    closed_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoices", x => x.id);
                    table.CheckConstraint("ck_invoices_amount_positive", "amount_micro_yuan > 0");
                    table.CheckConstraint("ck_invoices_split", "net_micro_yuan >= 0 AND tax_micro_yuan >= 0 AND net_micro_yuan + tax_micro_yuan = amount_micro_yuan");
                    table.CheckConstraint("ck_invoices_whole_fen", "amount_micro_yuan % 10000 = 0 AND net_micro_yuan % 10000 = 0");
                    table.ForeignKey(
                        name: "fk_invoices_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "monthly_statements",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    year = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    opening_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    closing_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    pdf_file_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    csv_file_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    generated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_monthly_statements", x => x.id);
                    table.CheckConstraint("ck_monthly_statements_month", "month BETWEEN 1 AND 12");
                    table.ForeignKey(
                        name: "fk_monthly_statements_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_invoice_profiles_tenant_id",
                table: "invoice_profiles",
                column: "tenant_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_invoices_issued_at",
                table: "invoices",
                column: "issued_at");

            migrationBuilder.CreateIndex(
                name: "ix_invoices_number",
                table: "invoices",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_invoices_status_requested_at",
                table: "invoices",
                columns: new[] { "status", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_invoices_tenant_id_requested_at",
                table: "invoices",
                columns: new[] { "tenant_id", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_invoices_verification_code",
                table: "invoices",
                column: "verification_code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_monthly_statements_tenant_id_year_month",
                table: "monthly_statements",
                columns: new[] { "tenant_id", "year", "month" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "invoice_number_counters");

            migrationBuilder.DropTable(
                name: "invoice_profiles");

            migrationBuilder.DropTable(
                name: "invoices");

            migrationBuilder.DropTable(
                name: "monthly_statements");

            migrationBuilder.DropColumn(
                name: "attachment_file_key",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "attachment_name",
                table: "outbox_messages");
        }
    }
}
