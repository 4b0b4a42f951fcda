using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddBankTransfers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bank_transfer_orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    remittance_code = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    received_amount_micro_yuan = table.Column<long>(type: "INTEGER", nullable: true),
                    bank_reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    closed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    rejection_reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
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
                name: "bank_transfer_orders");
        }
    }
}
