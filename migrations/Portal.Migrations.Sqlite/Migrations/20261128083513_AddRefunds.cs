using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddRefunds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "refunded_micro_yuan",
                table: "top_up_orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "refund_requests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    refund_no = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    held_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    requested_by_user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: true),
                    rejection_reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_refund_requests", x => x.id);
                    table.CheckConstraint("ck_refund_requests_amount_positive", "amount_micro_yuan > 0");
                    table.CheckConstraint("ck_refund_requests_held_within_amount", "held_micro_yuan >= 0 AND held_micro_yuan <= amount_micro_yuan");
                    table.ForeignKey(
                        name: "fk_refund_requests_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "refund_allocations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    refund_request_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    top_up_order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    bank_transfer_order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    amount_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    out_request_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    bank_reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_refund_allocations", x => x.id);
                    table.CheckConstraint("ck_refund_allocations_amount_positive", "amount_micro_yuan > 0");
                    table.ForeignKey(
                        name: "fk_refund_allocations_bank_transfer_orders_bank_transfer_order_id",
                        column: x => x.bank_transfer_order_id,
                        principalTable: "bank_transfer_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_refund_allocations_refund_requests_refund_request_id",
                        column: x => x.refund_request_id,
                        principalTable: "refund_requests",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_refund_allocations_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_refund_allocations_top_up_orders_top_up_order_id",
                        column: x => x.top_up_order_id,
                        principalTable: "top_up_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_top_up_orders_refunded_within_amount",
                table: "top_up_orders",
                sql: "refunded_micro_yuan >= 0 AND refunded_micro_yuan <= amount_micro_yuan");

            migrationBuilder.CreateIndex(
                name: "ix_refund_allocations_bank_transfer_order_id",
                table: "refund_allocations",
                column: "bank_transfer_order_id");

            migrationBuilder.CreateIndex(
                name: "ix_refund_allocations_out_request_no",
                table: "refund_allocations",
                column: "out_request_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_refund_allocations_refund_request_id_position",
                table: "refund_allocations",
                columns: new[] { "refund_request_id", "position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_refund_allocations_status_next_attempt_at",
                table: "refund_allocations",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_refund_allocations_tenant_id",
                table: "refund_allocations",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_refund_allocations_top_up_order_id",
                table: "refund_allocations",
                column: "top_up_order_id");

            migrationBuilder.CreateIndex(
                name: "ix_refund_requests_refund_no",
                table: "refund_requests",
                column: "refund_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_refund_requests_status_requested_at",
                table: "refund_requests",
                columns: new[] { "status", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_refund_requests_tenant_id_requested_at",
                table: "refund_requests",
                columns: new[] { "tenant_id", "requested_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "refund_allocations");

            migrationBuilder.DropTable(
                name: "refund_requests");

            migrationBuilder.DropCheckConstraint(
                name: "ck_top_up_orders_refunded_within_amount",
                table: "top_up_orders");

            migrationBuilder.DropColumn(
                name: "refunded_micro_yuan",
                table: "top_up_orders");
        }
    }
}
