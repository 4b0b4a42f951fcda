using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddKyc : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "kyc_documents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    storage_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    original_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    length = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    uploaded_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    uploaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kyc_documents", x => x.id);
                    table.ForeignKey(
                        name: "fk_kyc_documents_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "kyc_submissions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    company_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    credit_code = table.Column<string>(type: "character varying(18)", maxLength: 18, nullable: true),
                    legal_representative = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    registered_address = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    contact_name = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    contact_mobile = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    contact_is_legal_representative = table.Column<bool>(type: "boolean", nullable: false),
                    licence_document_id = table.Column<Guid>(type: "uuid", nullable: true),
                    authorisation_letter_document_id = table.Column<Guid>(type: "uuid", nullable: true),
                    real_name = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    id_number = table.Column<string>(type: "character varying(18)", maxLength: 18, nullable: true),
                    id_front_document_id = table.Column<Guid>(type: "uuid", nullable: true),
                    id_back_document_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    submitted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    decided_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    rejection_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    revoked_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revocation_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kyc_submissions", x => x.id);
                    table.ForeignKey(
                        name: "fk_kyc_submissions_kyc_documents_authorisation_letter_document",
                        column: x => x.authorisation_letter_document_id,
                        principalTable: "kyc_documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_kyc_submissions_kyc_documents_id_back_document_id",
                        column: x => x.id_back_document_id,
                        principalTable: "kyc_documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_kyc_submissions_kyc_documents_id_front_document_id",
                        column: x => x.id_front_document_id,
                        principalTable: "kyc_documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_kyc_submissions_kyc_documents_licence_document_id",
                        column: x => x.licence_document_id,
                        principalTable: "kyc_documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_kyc_submissions_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_kyc_documents_storage_key",
                table: "kyc_documents",
                column: "storage_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_kyc_documents_tenant_id",
                table: "kyc_documents",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_authorisation_letter_document_id",
                table: "kyc_submissions",
                column: "authorisation_letter_document_id");

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_credit_code",
                table: "kyc_submissions",
                column: "credit_code",
                unique: true,
                filter: "status = 'Approved'");

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_id_back_document_id",
                table: "kyc_submissions",
                column: "id_back_document_id");

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_id_front_document_id",
                table: "kyc_submissions",
                column: "id_front_document_id");

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_licence_document_id",
                table: "kyc_submissions",
                column: "licence_document_id");

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_status_submitted_at",
                table: "kyc_submissions",
                columns: new[] { "status", "submitted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_tenant_id",
                table: "kyc_submissions",
                column: "tenant_id",
                unique: true,
                filter: "status = 'Approved'");

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_tenant_id_created_at",
                table: "kyc_submissions",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_tenant_id1",
                table: "kyc_submissions",
                column: "tenant_id",
                unique: true,
                filter: "status IN ('Draft', 'Submitted')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "kyc_submissions");

            migrationBuilder.DropTable(
                name: "kyc_documents");
        }
    }
}
